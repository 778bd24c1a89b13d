import type { RoomEvent, UserEvent } from '@salon/protocol';
import type { Logger } from 'pino';
import { roomStream, userStream } from '../channels/streams.js';
import type { BatchJob } from '../jobs/job-queue.js';
import type { MessageRequest, MessageStore, WriteResult } from './message.store.js';
import { messageView } from './views.js';
import type { Publisher } from '../broker/broker.js';
import type { RoomOrderLock } from './room-order-lock.js';

/** Stored messages announced in one turn of the event loop (about a millisecond of work). */
const ANNOUNCE_SLICE = 64;

/**
 * How long the rooms stay held waiting for the bus to take a batch's broadcasts. Past it they
 * are released anyway: the messages are stored, and clients that miss a broadcast catch up from
 * the history; other nodes must not stall behind a Redis that does not answer.
 */
const SETTLE_LIMIT_MS = 2000;

/**
 * Something that runs after a batch is committed, for each request that was stored (a new
 * message, not a repeat): DESIGN.md "Features plug in after the store". Steps run in order, each
 * on its own; a failing step is logged and does not stop the others.
 */
export type AfterStore = (
  request: MessageRequest,
  result: Extract<WriteResult, { ok: true }>,
) => void | Promise<void>;

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
  readonly pace: { intervalMs: number; fromBatchSize: number } | undefined;
  readonly #store: MessageStore;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  readonly #steps: readonly AfterStore[];
  readonly #orderLock: RoomOrderLock | undefined;
  readonly #overlap: boolean;
  /** The announcement of the last stored batch (one node; see #storeThenAnnounceAlongside). */
  #announcing: Promise<void> = Promise.resolve();
  /** HTTP requests waiting for their message's fate, by request id (this process only). */
  readonly #waiters = new Map<string, (result: WriteResult) => void>();

  constructor(
    store: MessageStore,
    publisher: Publisher,
    log: Logger,
    opts: {
      steps?: readonly AfterStore[];
      maxBatch?: number;
      commitIntervalMs?: number;
      /** In a cluster: keeps each room's broadcasts in seq order across nodes. */
      orderLock?: RoomOrderLock;
      /**
       * One node: store the next batch while announcing this one (default true). Worth it when
       * the store has a core of its own (PostgreSQL, or the writer thread on a process that may
       * use several cores); on a single core it only adds switching between the two threads.
       */
      overlap?: boolean;
    } = {},
  ) {
    this.#store = store;
    this.#orderLock = opts.orderLock;
    this.#overlap = opts.overlap ?? true;
    this.#publisher = publisher;
    this.#log = log;
    this.#steps = opts.steps ?? [];
    this.maxBatch = opts.maxBatch ?? 1000;
    // Two messages in one commit means they are coming faster than commits end: from there on,
    // waiting a few milliseconds saves far more work (each commit writes every page its rooms
    // touched) than it costs in latency. A lone message never waits.
    this.pace = opts.commitIntervalMs
      ? { intervalMs: opts.commitIntervalMs, fromBatchSize: 2 }
      : undefined;
  }

  /** Resolves when the request with `requestId` is stored (or refused). Register before enqueueing. */
  waitFor(requestId: string): Promise<WriteResult> {
    return new Promise((resolve) => this.#waiters.set(requestId, resolve));
  }

  forget(requestId: string): void {
    this.#waiters.delete(requestId);
  }

  async runBatch(requests: MessageRequest[]): Promise<void> {
    if (!this.#orderLock) {
      if (this.#overlap) return this.#storeThenAnnounceAlongside(requests);
      return this.#announce(requests, await this.#store.writeBatch(requests));
    }
    const release = await this.#orderLock.hold(requests.map((r) => r.roomId));
    try {
      await this.#announce(requests, await this.#store.writeBatch(requests));
      await settledWithin(this.#publisher, SETTLE_LIMIT_MS, this.#log);
    } finally {
      await release();
    }
  }

  settled(): Promise<void> {
    return this.#announcing;
  }

  /**
   * One node, `overlap`: the batch is stored while the one before it is still being announced, so
   * the store and this thread work side by side instead of in turn (at full speed each waited
   * about half the time for the other). Announcements keep commit order: a batch's start after
   * the previous batch's end. The run ends once the previous announcement has, so at most one
   * batch is being announced while another is stored.
   */
  async #storeThenAnnounceAlongside(requests: MessageRequest[]): Promise<void> {
    const results = await this.#store.writeBatch(requests);
    await this.#announcing;
    this.#announcing = this.#announce(requests, results);
  }

  async #announce(requests: MessageRequest[], results: WriteResult[]): Promise<void> {
    for (let i = 0; i < requests.length; i++) {
      // A thousand broadcasts in one go would hold the event loop for several milliseconds:
      // other connections get a turn between slices. The next batch waits for the last slice,
      // so a room's messages still go out in seq order.
      if (i > 0 && i % ANNOUNCE_SLICE === 0) await new Promise(setImmediate);
      const req = requests[i];
      const result = results[i];
      if (!req || !result) continue;
      try {
        this.#announceOne(req, result);
      } catch (err) {
        // Stored all the same: the room's members catch up from the history.
        this.#log.error({ err, roomId: req.roomId }, 'stored message not broadcast');
      }
      this.#waiters.get(req.requestId)?.(result);
      this.#waiters.delete(req.requestId);
      if (result.ok && !result.duplicate) this.#afterStore(req, result);
    }
  }

  #afterStore(req: MessageRequest, result: Extract<WriteResult, { ok: true }>): void {
    for (const step of this.#steps) {
      try {
        void Promise.resolve(step(req, result)).catch((err: unknown) =>
          this.#log.error({ err }, 'after-store step failed'),
        );
      } catch (err) {
        this.#log.error({ err }, 'after-store step failed');
      }
    }
  }

  onGiveUp(requests: MessageRequest[], err: unknown): void {
    this.#log.error({ err, count: requests.length }, 'messages could not be stored');
    for (const req of requests) {
      const result: WriteResult = {
        ok: false,
        code: 'SERVICE_UNAVAILABLE',
        reason: 'The message could not be stored. Send it again.',
      };
      this.#announceOne(req, result);
      this.#waiters.get(req.requestId)?.(result);
      this.#waiters.delete(req.requestId);
    }
  }

  #announceOne(req: MessageRequest, result: WriteResult): void {
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

async function settledWithin(publisher: Publisher, limitMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, limitMs, 'late')));
  const outcome = await Promise.race([publisher.settled(), late]);
  clearTimeout(timer);
  if (outcome === 'late')
    log.warn({ limitMs }, 'broadcasts not on the bus in time; rooms released');
}
