import { setTimeout as sleep } from 'node:timers/promises';
import { sampleSystemCpu } from './proc-stats.js';

/** Machine-wide CPU (in cores) below which nothing else is competing with a trial. */
export const QUIET_CORES = 0.25;
const SAMPLE_MS = 500;

/**
 * Waits, at most `maxWaitMs`, for half a second in which the whole machine used less than
 * QUIET_CORES: the cores are shared with whatever else runs here (builds, tests), and a trial
 * started under that load measures it. Resolves with whether the machine was quiet.
 */
export async function waitForQuietMachine(maxWaitMs: number): Promise<boolean> {
  const deadline = performance.now() + maxWaitMs;
  while (performance.now() < deadline) {
    const before = sampleSystemCpu();
    await sleep(SAMPLE_MS);
    const after = sampleSystemCpu();
    const cores = (after.busy_us - before.busy_us) / (after.wall_us - before.wall_us);
    if (cores < QUIET_CORES) return true;
  }
  return false;
}
