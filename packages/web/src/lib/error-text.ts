import { SalonApiError } from '@salon/client';

/** The server's own "Try again in N s." at the end of a rate-limit sentence. */
const RETRY_SENTENCE = /\s*Try again in \d+\s*(?:s|seconds?)\.?\s*$/i;

/**
 * A sentence for a failed call. A wait the server asked for is said once: the server's 429
 * sentences already end with it; others get it added.
 */
export function errorText(err: unknown): string {
  if (err instanceof SalonApiError) {
    const wait = err.retryAfterSeconds;
    if (wait === undefined || wait <= 0 || RETRY_SENTENCE.test(err.message)) return err.message;
    return `${err.message} Try again in ${formatWait(wait)}.`;
  }
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection.';
  return err instanceof Error ? err.message : 'Something went wrong.';
}

/**
 * A rate-limited call's sentence without its wait, and the wait in seconds, for a live
 * countdown in place of the fixed number; null for any other error.
 */
export function retryWait(err: unknown): { reason: string; seconds: number } | null {
  if (!(err instanceof SalonApiError) || err.status !== 429) return null;
  const seconds = err.retryAfterSeconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return null;
  return { reason: err.message.replace(RETRY_SENTENCE, ''), seconds: Math.ceil(seconds) };
}

/** The server's stable error code, when the failure came from the server. */
export function errorCode(err: unknown): string | null {
  return err instanceof SalonApiError ? err.code : null;
}

export function formatWait(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.ceil(s / 60);
  return `${m} min`;
}

/** Ignores the result of a call that may or may not return a promise, logging a rejection. */
export function settle(result: unknown): void {
  if (result instanceof Promise) {
    result.catch((err: unknown) => console.warn(err));
  }
}
