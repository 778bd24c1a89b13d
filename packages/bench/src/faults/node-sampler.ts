/**
 * Loaded into a Salon node by the soak scenario (`node --import`): once a second, appends the
 * process's RSS, heap used and event-loop delay (p99 and max over that second) as a JSON line to
 * FAULTS_SAMPLE_FILE. The main thread only (worker threads load it too).
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

export interface NodeSample {
  /** ms since the epoch */
  t: number;
  rss_mb: number;
  heap_mb: number;
  loop_p99_ms: number;
  loop_max_ms: number;
}

const file = process.env.FAULTS_SAMPLE_FILE;
if (isMainThread && file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  setInterval(() => {
    const m = process.memoryUsage();
    const sample: NodeSample = {
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
