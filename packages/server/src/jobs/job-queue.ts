/**
 * A job: work that must not hold up a request (an SMS to send, a message to store and broadcast).
 * Queues retry a failed run with backoff until `maxAttempts`, unless `isRetryable` says the error
 * is final (a 4xx from a provider will not get better by trying again).
 */
export interface Job<P> {
  readonly name: string;
  readonly maxAttempts: number;
  run(payload: P, attempt: number): Promise<void>;
  isRetryable?(err: unknown): boolean;
}

export interface JobQueue {
  /** Queues one run. Throws AppError SERVICE_UNAVAILABLE when the queue is full or closing. */
  enqueue<P>(job: Job<P>, payload: P): void;
  /**
   * Stops taking jobs and waits until everything queued (retries included) has run, or until
   * `timeoutMs` passes. Resolves true when drained.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** Jobs waiting, running or waiting for a retry. */
  readonly pending: number;
}
