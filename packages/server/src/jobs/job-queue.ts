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

/**
 * A job whose queued payloads are handed over together, in order, one batch at a time: the
 * message job stores a whole batch in one transaction (group commit). A failed batch is retried
 * whole, before anything queued after it.
 */
export interface BatchJob<P> {
  readonly name: string;
  readonly maxAttempts: number;
  /** Most payloads handed to one run. */
  readonly maxBatch: number;
  /** Payloads that may wait before `enqueue` refuses; default: the queue's own bound. */
  readonly maxQueued?: number;
  /**
   * Commit pacing, under load only: once a batch held at least `fromBatchSize` payloads (work is
   * arriving faster than batches end), the next batch starts no sooner than `intervalMs` after
   * it, and takes everything that came meanwhile: a commit per interval rather than per few
   * messages. Lighter traffic never waits. Default: no pacing.
   */
  readonly pace?: { readonly intervalMs: number; readonly fromBatchSize: number };
  runBatch(payloads: P[], attempt: number): Promise<void>;
  /**
   * Settles when work a finished run left going on its own has ended (the message job announces
   * a stored batch while the next one is being stored): `drain` waits for it too.
   */
  settled?(): Promise<void>;
  /** Called with a batch that failed for good, so its senders can be told. */
  onGiveUp?(payloads: P[], err: unknown): void;
}

export interface JobQueue {
  /** Queues one run. Throws AppError SERVICE_UNAVAILABLE when the queue is full or closing. */
  enqueue<P>(job: Job<P> | BatchJob<P>, payload: P): void;
  /**
   * Stops taking jobs and waits until everything queued (retries included) has run, or until
   * `timeoutMs` passes. Resolves true when drained.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** Jobs waiting, running or waiting for a retry. */
  readonly pending: number;
}
