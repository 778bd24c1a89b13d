/**
 * Commands per connection: `burst` at once, refilled at `ratePerSecond`. Hand-written because it
 * is a few lines on the hot path and needs no timers, store or promises.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, burst: number, now = performance.now()) {
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Whether the bucket has refilled to its burst (an idle sender: forgetting it changes nothing). */
  isFull(now = performance.now()): boolean {
    return this.#tokens + (now - this.#last) * this.#rate >= this.#burst;
  }

  take(now = performance.now()): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
