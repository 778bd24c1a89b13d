import { isDeepStrictEqual, inspect } from 'node:util';

/** How long a browser test waits for the UI to get somewhere, ms (a loaded 2-core box is slow). */
export const UI_TIMEOUT_MS = 10_000;

/** Pause between two looks at the page, ms: short, since each look is a round trip to Chromium. */
const POLL_INTERVAL_MS = 50;

/**
 * Reads `actual` until it deep-equals `expected` (or, given a predicate, until it holds), and
 * fails after `timeoutMs` with the last value read: the expect-style polling of Playwright's test
 * runner, for playwright-core.
 */
export async function expectEventually<T>(
  what: string,
  actual: () => Promise<T> | T,
  expected: T | ((value: T) => boolean),
  timeoutMs = UI_TIMEOUT_MS,
): Promise<T> {
  const matches =
    typeof expected === 'function'
      ? (expected as (value: T) => boolean)
      : (value: T) => isDeepStrictEqual(value, expected);
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await actual();
      lastError = undefined;
      if (matches(last)) return last;
    } catch (err) {
      // A page mid-navigation throws; that is one more reason to look again.
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const wanted = typeof expected === 'function' ? 'the condition' : inspect(expected);
      const got =
        lastError instanceof Error ? `error ${lastError.message}` : inspect(lastError ?? last);
      throw new Error(
        `timed out after ${String(timeoutMs)} ms waiting for ${what}: wanted ${wanted}, last saw ${got}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
