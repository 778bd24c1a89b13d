import { randomUUID } from 'node:crypto';
import type { GroupEventView } from '@salon/protocol';
import type { JobQueue } from '../jobs/job-queue.js';
import type { MessageJob } from './message-job.js';

/**
 * Group events in the timeline ("Ana added Ben"): queued on the message job like any message, so
 * each gets its room's next seq, is stored, then broadcast, and history shows it after a reload.
 * The actor is the message's sender.
 */
export class TimelineEvents {
  readonly #jobs: JobQueue;
  readonly #job: MessageJob;

  constructor(jobs: JobQueue, job: MessageJob) {
    this.#jobs = jobs;
    this.#job = job;
  }

  record(roomId: string, actorId: string, event: GroupEventView): void {
    const id = randomUUID();
    this.#jobs.enqueue(this.#job, {
      requestId: id,
      roomId,
      senderId: actorId,
      // A server-made client_id: never one a client could send (clients' ids have no '#').
      clientId: `event#${id}`,
      body: '',
      replyTo: null,
      event,
    });
  }
}
