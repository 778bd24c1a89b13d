/**
 * Loaded into a Salon node by the soak scenario (through NODE_OPTIONS=--import, so that the
 * node's worker threads, which inherit only the command line's flags, do not load it): once a
 * second, appends the process's RSS, heap used and event-loop delay (p99 and max over that
 * second) as a JSON line to FAULTS_SAMPLE_FILE. Plain JavaScript: it loads before tsx does.
 */
import fs from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.FAULTS_SAMPLE_FILE;
if (isMainThread && file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  setInterval(() => {
    const m = process.memoryUsage();
    const sample = {
      t: Date.now(),
      rss_mb: m.rss / 2 ** 20,
      heap_mb: m.heapUsed / 2 ** 20,
      loop_p99_ms: delay.percentile(99) / 1e6,
      loop_max_ms: delay.max / 1e6,
    };
    delay.reset();
    fs.appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, 1000).unref();
}
