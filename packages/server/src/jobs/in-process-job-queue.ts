import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { Job, JobQueue } from './job-queue.js';

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

/** The single-node queue: jobs live in memory and run in this process. */
export class InProcessJobQueue implements JobQueue {
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #queue: Entry[] = [];
  readonly #retries = new Map<NodeJS.Timeout, Entry>();
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
    return this.#queue.length + this.#running + this.#retries.size;
  }

  enqueue<P>(job: Job<P>, payload: P): void {
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
    this.#pump();
    if (this.pending === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<true>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return drained;
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
