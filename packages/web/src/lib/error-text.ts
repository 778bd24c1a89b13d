import { SalonApiError } from '@salon/client';

/** A sentence for a failed call, with the wait when the server asked for one. */
export function errorText(err: unknown): string {
  if (err instanceof SalonApiError) {
    const wait = err.retryAfterSeconds;
    return wait !== undefined && wait > 0
      ? `${err.message} Try again in ${formatWait(wait)}.`
      : err.message;
  }
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection.';
  return err instanceof Error ? err.message : 'Something went wrong.';
}

function formatWait(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** Ignores the result of a call that may or may not return a promise, logging a rejection. */
export function settle(result: unknown): void {
  if (result instanceof Promise) {
    result.catch((err: unknown) => console.warn(err));
  }
}
