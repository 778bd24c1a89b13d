import { setTimeout as sleep } from 'node:timers/promises';
import type { IdleScenario } from './bench-config.js';
import { cpuBetween, readMemoryKb, sampleCpu } from './proc-stats.js';
import type { Target } from './target.js';
import type { IdleTrialResult } from './trial-result.js';
import { startGenerator, startServer, type ServerChild } from './trial-processes.js';

const GC_TIMEOUT_MS = 10_000;

/** Server VmRSS after a forced GC and a pause (so freed pages and lazy work have settled), KiB. */
async function settledRssKb(server: ServerChild, settleMs: number): Promise<number> {
  await sleep(settleMs);
  server.send({ type: 'gc' });
  await server.next('gc-done', GC_TIMEOUT_MS);
  await sleep(settleMs / 4);
  return readMemoryKb(server.pid, 'VmRSS');
}

/**
 * One run of the idle-memory scenario on a fresh server: RSS with its room built and no
 * connections, then with `clients` connections joined and silent. Accounts a target must create
 * for its members (Salon) exist before the first reading, so the delta is connections only.
 */
export async function runIdleTrial(
  target: Target,
  scenario: IdleScenario,
  run: number,
  connectConcurrency: number,
): Promise<IdleTrialResult> {
  const { server, connect } = await startServer(target, scenario.clients);
  try {
    const before = await settledRssKb(server, scenario.settleMs);
    const cpuBefore = sampleCpu(server.pid);
    const { generator, connectMs } = await startGenerator(
      connect,
      scenario.clients,
      connectConcurrency,
    );
    const connectCpu = cpuBetween(cpuBefore, sampleCpu(server.pid));
    try {
      const after = await settledRssKb(server, scenario.settleMs);
      return {
        kind: 'idle',
        target: target.id,
        scenario: scenario.name,
        run,
        clients: scenario.clients,
        rss_before_kb: before,
        rss_after_kb: after,
        rss_per_connection_bytes: Math.round(((after - before) * 1024) / scenario.clients),
        connect_ms: connectMs,
        connect_cpu_us_per_connection: connectCpu.cpu_us / scenario.clients,
      };
    } finally {
      await generator.stop();
    }
  } finally {
    await server.stop();
  }
}
