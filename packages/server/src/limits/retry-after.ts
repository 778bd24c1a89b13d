import { RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

/** RATE_LIMITED, with the wait in the sentence and in Retry-After. */
export function rateLimited(reason: string, ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new AppError('RATE_LIMITED', 429, `${reason} Try again in ${waitText(seconds)}.`, {
    retryAfterSeconds: seconds,
  });
}

/** "45 s", "3 min", "1 h 5 min": how long to wait, as a person reads it. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${String(seconds)} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${String(h)} h` : `${String(h)} h ${String(m)} min`;
}

/** rate-limiter-flexible rejects with a RateLimiterRes when a limit is hit, and an Error on failure. */
export function isLimitHit(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes;
}
