import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { BatchJob, Job, JobQueue } from './job-queue.js';

export interface BullmqJobQueueOptions {
  redisUrl: string;
  /** Key prefix (SALON_REDIS_KEY_PREFIX); BullMQ's keys go under `<prefix>bull:`. */
  prefix: string;
  log: Logger;
  /** Where batch jobs (the message write path) and unknown jobs run: this process. */
  local: JobQueue;
  /** The jobs that run on BullMQ, by name; any node's worker runs any of them. */
  durable: readonly Job<never>[];
  /** Whether Redis is reachable now: a job is refused rather than lost when it is not. */
  healthy: () => boolean;
}

const QUEUE = 'jobs';
/**
 * A job held by a node that died is given to another after this long (BullMQ's lock; the node
 * renews it at half this while it runs the job).
 */
export const JOB_LOCK_MS = 5000;

/**
 * Cluster mode's queue: durable jobs (SMS now; push and webhooks later) go to BullMQ in Redis,
 * named, with plain JSON payloads, retried with exponential backoff, and run by whichever node's
 * worker takes them, so a job outlives the node that queued it. The message write path stays in
 * process (group commit per node, answered by the node that received the send).
 */
export class BullmqJobQueue implements JobQueue {
  readonly #opts: BullmqJobQueueOptions;
  readonly #queue: Queue;
  readonly #worker: Worker;
  readonly #connections: Redis[] = [];
  readonly #byName = new Map<string, Job<never>>();
  #adding = 0;
  #closing = false;

  constructor(opts: BullmqJobQueueOptions) {
    this.#opts = opts;
    for (const job of opts.durable) this.#byName.set(job.name, job);
    // BullMQ's blocking worker needs its own connection that never gives up on a command.
    const connection = (): Redis => {
      const c = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
      c.on('error', (err: Error) => opts.log.debug({ err }, 'bullmq redis error'));
      this.#connections.push(c);
      return c;
    };
    const prefix = `${opts.prefix}bull`;
    this.#queue = new Queue(QUEUE, { connection: connection(), prefix });
    this.#queue.on('error', (err) => opts.log.debug({ err }, 'bullmq queue error'));
    this.#worker = new Worker(QUEUE, (job) => this.#run(job), {
      connection: connection(),
      prefix,
      concurrency: 4,
      lockDuration: JOB_LOCK_MS,
      stalledInterval: JOB_LOCK_MS,
    });
    this.#worker.on('error', (err) => opts.log.debug({ err }, 'bullmq worker error'));
    this.#worker.on('failed', (job, err) =>
      opts.log.warn({ err, job: job?.name, attempt: job?.attemptsMade }, 'job failed'),
    );
  }

  get pending(): number {
    return this.#opts.local.pending + this.#adding;
  }

  enqueue<P>(job: Job<P> | BatchJob<P>, payload: P): void {
    if ('runBatch' in job || !this.#byName.has(job.name)) {
      this.#opts.local.enqueue(job, payload);
      return;
    }
    if (this.#closing || !this.#opts.healthy()) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        503,
        'The server cannot queue work right now; try again shortly.',
        {
          retryAfterSeconds: 5,
        },
      );
    }
    this.#adding++;
    this.#queue
      .add(job.name, payload, {
        attempts: job.maxAttempts,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
        removeOnFail: 1000,
      })
      .catch((err: unknown) => this.#opts.log.error({ err, job: job.name }, 'job not queued'))
      .finally(() => this.#adding--);
  }

  async drain(timeoutMs: number): Promise<boolean> {
    this.#closing = true;
    const ends = Date.now() + timeoutMs;
    // Waiting durable jobs stay in Redis for the other nodes (or this one after its restart):
    // the worker takes no more of them (pause), and those it runs finish within what is left
    // of the same timeout. One still running then is left to BullMQ's stall check (another
    // node takes it up): the worker closes without waiting for it. (Closing it gracefully and
    // cutting its connections under a job that ended later spun the event loop at 100 %, and
    // the node never finished stopping.)
    const runningDone = this.#worker.pause().catch(() => undefined);
    const drained = await this.#opts.local.drain(timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      runningDone,
      new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, ends - Date.now())))),
    ]);
    clearTimeout(timer);
    await this.#worker.close(true).catch(() => undefined);
    await this.#queue.close().catch(() => undefined);
    for (const c of this.#connections) c.disconnect();
    return drained;
  }

  async #run(bull: BullJob): Promise<void> {
    const job = this.#byName.get(bull.name);
    if (!job) throw new UnrecoverableError(`no job named ${bull.name} on this node`);
    try {
      await job.run(bull.data as never, bull.attemptsMade + 1);
    } catch (err) {
      if (job.isRetryable && !job.isRetryable(err))
        throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
      throw err;
    }
  }
}
