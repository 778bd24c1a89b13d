import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Gives the calling thread a nice value of `nice` (1–19: lower priority), on Linux, where a
 * thread has its own id and priority (/proc/thread-self names it). Elsewhere, or when the system
 * refuses, the thread keeps its priority: this is an optimisation, never a requirement.
 */
export function lowerThisThreadsPriority(nice: number): boolean {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
