import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { BatchJob, Job, JobQueue } from './job-queue.js';

export interface InProcessJobQueueOptions {
  /** Jobs running at once. Default 4. */
  concurrency?: number;
  /** Jobs waiting (not counting running ones) before `enqueue` refuses. Default 10,000. */
  maxQueued?: number;
  /** First retry delay in ms, doubled per attempt with ±50% jitter. Default 500. */
  backoffBaseMs?: number;
  /** Longest retry delay in ms. Default 30,000. */
  backoffMaxMs?: number;
}

interface Entry {
  job: Job<unknown>;
  payload: unknown;
  attempt: number;
}

/** A batch job's own ordered queue; one batch of it runs at a time. */
interface Lane {
  job: BatchJob<unknown>;
  queued: unknown[];
  /** The batch running or waiting to be retried, with its attempt number. */
  batch: { payloads: unknown[]; attempt: number } | undefined;
  running: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  /** Set while the lane waits out the job's pacing interval before its next batch. */
  paceTimer: NodeJS.Timeout | undefined;
  /** When the last batch started (Date.now()), and how many payloads it took. */
  startedAt: number;
  lastSize: number;
}

/** The single-node queue: jobs live in memory and run in this process. */
export class InProcessJobQueue implements JobQueue {
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #queue: Entry[] = [];
  readonly #retries = new Map<NodeJS.Timeout, Entry>();
  readonly #lanes = new Map<BatchJob<unknown>, Lane>();
  #running = 0;
  #closing = false;
  #idleWaiters: (() => void)[] = [];

  constructor(log: Logger, options: InProcessJobQueueOptions = {}) {
    this.#log = log;
    this.#concurrency = options.concurrency ?? 4;
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#backoffMaxMs = options.backoffMaxMs ?? 30_000;
  }

  get pending(): number {
    let n = this.#queue.length + this.#running + this.#retries.size;
    for (const lane of this.#lanes.values())
      n += lane.queued.length + (lane.batch?.payloads.length ?? 0);
    return n;
  }

  enqueue<P>(job: Job<P> | BatchJob<P>, payload: P): void {
    if (this.#closing) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        503,
        'The server is shutting down; try again shortly.',
        {
          retryAfterSeconds: 5,
        },
      );
    }
    if ('runBatch' in job) {
      this.#enqueueBatched(job, payload);
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      throw new AppError('SERVICE_UNAVAILABLE', 503, 'The server is busy; try again shortly.', {
        retryAfterSeconds: 5,
      });
    }
    this.#queue.push({ job, payload, attempt: 1 });
    this.#pump();
  }

  async drain(timeoutMs: number): Promise<boolean> {
    this.#closing = true;
    // Retries waiting on a backoff timer run now: shutdown must not leave work behind.
    for (const [timer, entry] of this.#retries) {
      clearTimeout(timer);
      this.#queue.push(entry);
    }
    this.#retries.clear();
    for (const lane of this.#lanes.values()) {
      if (lane.paceTimer) this.#endPace(lane);
      if (lane.retryTimer) {
        clearTimeout(lane.retryTimer);
        lane.retryTimer = undefined;
        void this.#runLane(lane);
      }
    }
    this.#pump();
    const idle =
      this.pending === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    const settled = idle.then(async () => {
      await Promise.all(
        [...this.#lanes.keys()].map((job) =>
          (job.settled?.() ?? Promise.resolve()).catch((err: unknown) => {
            this.#log.error({ err, job: job.name }, 'follow-up work failed');
          }),
        ),
      );
      return true as const;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    return drained;
  }

  #enqueueBatched(job: BatchJob<unknown>, payload: unknown): void {
    let lane = this.#lanes.get(job);
    if (!lane) {
      lane = {
        job,
        queued: [],
        batch: undefined,
        running: false,
        retryTimer: undefined,
        paceTimer: undefined,
        startedAt: -Infinity,
        lastSize: 0,
      };
      this.#lanes.set(job, lane);
    }
    if (lane.queued.length >= (job.maxQueued ?? this.#maxQueued)) {
      throw new AppError('SERVICE_UNAVAILABLE', 503, 'The server is busy; try again shortly.', {
        retryAfterSeconds: 5,
      });
    }
    lane.queued.push(payload);
    // An idle lane starts at once: right after the current task (so that what this task queues,
    // e.g. the frames of one socket read, joins the same batch), not a turn of the event loop
    // later. A busy lane collects what comes while its commit is in flight and takes it all next:
    // batches form from waiting work, never by making work wait.
    if (!lane.batch && lane.queued.length === 1) queueMicrotask(() => void this.#runLane(lane));
    // A full batch does not wait for the interval to pass.
    else if (lane.paceTimer && lane.queued.length >= job.maxBatch) this.#endPace(lane);
  }

  #endPace(lane: Lane): void {
    clearTimeout(lane.paceTimer);
    lane.paceTimer = undefined;
    void this.#runLane(lane);
  }

  async #runLane(lane: Lane): Promise<void> {
    if (lane.retryTimer || lane.paceTimer || lane.running) return;
    if (!lane.batch) {
      if (lane.queued.length === 0) {
        this.#pump();
        return;
      }
      const now = Date.now();
      const pace = lane.job.pace;
      const wait =
        pace && lane.lastSize >= pace.fromBatchSize ? lane.startedAt + pace.intervalMs - now : 0;
      if (wait > 0 && !this.#closing && lane.queued.length < lane.job.maxBatch) {
        lane.paceTimer = setTimeout(() => {
          lane.paceTimer = undefined;
          void this.#runLane(lane);
        }, wait);
        return;
      }
      lane.startedAt = now;
      lane.batch = { payloads: lane.queued.splice(0, lane.job.maxBatch), attempt: 1 };
      lane.lastSize = lane.batch.payloads.length;
    }
    const batch = lane.batch;
    const attempt = batch.attempt;
    lane.running = true;
    try {
      await lane.job.runBatch(batch.payloads, attempt);
      lane.batch = undefined;
    } catch (err) {
      if (attempt < lane.job.maxAttempts) {
        const delay = this.#closing ? 0 : this.#backoff(attempt);
        this.#log.warn(
          { err, job: lane.job.name, attempt, size: batch.payloads.length, retryInMs: delay },
          'batch failed; will retry',
        );
        batch.attempt = attempt + 1;
        lane.running = false;
        lane.retryTimer = setTimeout(() => {
          lane.retryTimer = undefined;
          void this.#runLane(lane);
        }, delay);
        return;
      }
      this.#log.error(
        { err, job: lane.job.name, attempt, size: batch.payloads.length },
        'batch failed for good',
      );
      lane.batch = undefined;
      try {
        lane.job.onGiveUp?.(batch.payloads, err);
      } catch (giveUpErr) {
        this.#log.error({ err: giveUpErr, job: lane.job.name }, 'onGiveUp failed');
      }
    }
    lane.running = false;
    void this.#runLane(lane);
  }

  #pump(): void {
    while (this.#running < this.#concurrency) {
      const entry = this.#queue.shift();
      if (!entry) break;
      this.#running++;
      void this.#run(entry);
    }
    if (this.pending === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async #run(entry: Entry): Promise<void> {
    const { job, payload, attempt } = entry;
    try {
      await job.run(payload, attempt);
    } catch (err) {
      const retryable = job.isRetryable?.(err) ?? true;
      if (retryable && attempt < job.maxAttempts) {
        const delay = this.#backoff(attempt);
        this.#log.warn({ err, job: job.name, attempt, retryInMs: delay }, 'job failed; will retry');
        this.#scheduleRetry({ job, payload, attempt: attempt + 1 }, delay);
      } else {
        this.#log.error({ err, job: job.name, attempt }, 'job failed for good');
      }
    } finally {
      this.#running--;
      this.#pump();
    }
  }

  #scheduleRetry(entry: Entry, delayMs: number): void {
    if (this.#closing) {
      this.#queue.push(entry);
      return;
    }
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      this.#queue.push(entry);
      this.#pump();
    }, delayMs);
    timer.unref();
    this.#retries.set(timer, entry);
  }

  #backoff(attempt: number): number {
    const base = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(base * (0.5 + Math.random()));
  }
}
