import { nowMs } from './payload.js';

export interface OpenLoopOptions {
  firstSeq: number;
  count: number;
  perSecond: number;
  /** Called at (or, if this process was late, after) each broadcast's intended time. */
  trigger(seq: number, intendedTs: number): void;
}

/**
 * Sends `count` triggers on a fixed schedule that never waits for the server: broadcast k is
 * intended at start + k / perSecond whatever happened before, and a late timer sends the missed
 * ones at once with their original intended times (no coordinated omission).
 * Resolves with the largest lag between an intended time and its trigger, in ms.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<number> {
  const periodMs = 1000 / options.perSecond;
  const start = nowMs();
  let maxLag = 0;
  for (let k = 0; k < options.count; k++) {
    const intended = start + k * periodMs;
    // Node may fire a timer a fraction of a millisecond early: sleep again until it is time.
    for (let wait = intended - nowMs(); wait > 0; wait = intended - nowMs()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    maxLag = Math.max(maxLag, nowMs() - intended);
    options.trigger(options.firstSeq + k, intended);
  }
  return maxLag;
}
