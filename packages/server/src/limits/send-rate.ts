import type { AppError } from '../errors.js';
import { TokenBucket } from '../cable/token-bucket.js';
import { rateLimited } from './retry-after.js';

export interface SendRateOptions {
  /** Messages one person may send per second over the cable, sustained. */
  perSecond: number;
  /** Messages one person may send at once before the rate applies. */
  burst: number;
}

/** How often idle buckets are dropped, ms. */
const SWEEP_MS = 60_000;

/**
 * Messages per person over the cable, across all of their connections on this node: the
 * per-connection command rate alone would let one person with 32 connections send 32 times as
 * fast. In memory on purpose: it is checked once per message on the hot path, where a limit-store
 * write per message would cost more than the message (HTTP sends, far rarer, are counted in the
 * limit store). A person with connections on N nodes of a cluster gets N times the rate.
 */
export class SendRate {
  readonly #opts: SendRateOptions;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(opts: SendRateOptions) {
    this.#opts = opts;
    this.#sweeper = setInterval(() => {
      for (const [userId, bucket] of this.#buckets)
        if (bucket.isFull()) this.#buckets.delete(userId);
    }, SWEEP_MS);
    this.#sweeper.unref();
  }

  /** Takes one message from `userId`'s budget, or returns RATE_LIMITED with the wait. */
  take(userId: string): AppError | undefined {
    let bucket = this.#buckets.get(userId);
    if (!bucket) {
      bucket = new TokenBucket(this.#opts.perSecond, this.#opts.burst);
      this.#buckets.set(userId, bucket);
    }
    if (bucket.take()) return undefined;
    return rateLimited('You are sending messages too fast.', 1000 / this.#opts.perSecond);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }
}
