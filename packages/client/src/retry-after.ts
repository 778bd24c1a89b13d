/**
 * The longest wait the client takes from a Retry-After header. A larger value (a misconfigured
 * proxy, a date far ahead) is cut to this rather than leaving the app offline for hours.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Milliseconds a Retry-After header asks the client to wait: delta-seconds (what Salon sends) or
 * an HTTP date (what a proxy may send), at most MAX_RETRY_AFTER_MS. Undefined when the header is
 * missing or unreadable.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    // HTTP dates start with the day's name; Date.parse alone would take '1.5' for a date.
    const at = /^[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
