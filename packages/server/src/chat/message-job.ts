import type { RoomEvent, UserEvent } from '@salon/protocol';
import type { Logger } from 'pino';
import { roomStream, userStream } from '../channels/streams.js';
import type { BatchJob } from '../jobs/job-queue.js';
import type { MessageRequest, MessageStore, WriteResult } from './message.store.js';
import { messageView } from './views.js';
import type { Publisher } from '../broker/broker.js';

/**
 * The message job (DESIGN.md, "How a message travels"): stores what was queued, a batch per
 * transaction, and only after the commit broadcasts each stored message to its room, the
 * sender's own copy being their acknowledgement. Nothing is acknowledged before it is durable.
 */
export class MessageJob implements BatchJob<MessageRequest> {
  readonly name = 'message';
  readonly maxAttempts = 5;
  readonly maxBatch: number;
  /** About a few seconds of messages at full speed (a request is a few hundred bytes). */
  readonly maxQueued = 100_000;
  readonly #store: MessageStore;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  /** HTTP requests waiting for their message's fate, by request id (this process only). */
  readonly #waiters = new Map<string, (result: WriteResult) => void>();

  constructor(store: MessageStore, publisher: Publisher, log: Logger, maxBatch = 1000) {
    this.#store = store;
    this.#publisher = publisher;
    this.#log = log;
    this.maxBatch = maxBatch;
  }

  /** Resolves when the request with `requestId` is stored (or refused). Register before enqueueing. */
  waitFor(requestId: string): Promise<WriteResult> {
    return new Promise((resolve) => this.#waiters.set(requestId, resolve));
  }

  forget(requestId: string): void {
    this.#waiters.delete(requestId);
  }

  async runBatch(requests: MessageRequest[]): Promise<void> {
    const results = await this.#store.writeBatch(requests);
    requests.forEach((req, i) => {
      const result = results[i];
      if (!result) return;
      this.#announce(req, result);
      this.#waiters.get(req.requestId)?.(result);
      this.#waiters.delete(req.requestId);
    });
  }

  onGiveUp(requests: MessageRequest[], err: unknown): void {
    this.#log.error({ err, count: requests.length }, 'messages could not be stored');
    for (const req of requests) {
      const result: WriteResult = {
        ok: false,
        code: 'SERVICE_UNAVAILABLE',
        reason: 'The message could not be stored. Send it again.',
      };
      this.#announce(req, result);
      this.#waiters.get(req.requestId)?.(result);
      this.#waiters.delete(req.requestId);
    }
  }

  #announce(req: MessageRequest, result: WriteResult): void {
    if (result.ok && !result.duplicate) {
      const event: RoomEvent = {
        type: 'message',
        message: messageView(result.message, result.senderName),
      };
      this.#publisher.publish(roomStream(req.roomId), event, { durable: true });
      return;
    }
    // Repeats and failures concern the sender only: they hear on their private stream.
    const event: UserEvent = result.ok
      ? { type: 'message_ack', message: messageView(result.message, result.senderName) }
      : {
          type: 'message_failed',
          room_id: req.roomId,
          client_id: req.clientId,
          code: result.code,
          message: result.reason,
        };
    this.#publisher.publish(userStream(req.senderId), event);
  }
}
