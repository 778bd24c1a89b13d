import type { FanoutScenario } from './bench-config.js';
import { runOpenLoop } from './open-loop.js';
import { cpuBetween, readMemoryKb, sampleCpu, sampleSystemCpu } from './proc-stats.js';
import type { Target } from './target.js';
import type { FanoutTrialResult } from './trial-result.js';
import { startTrialProcesses } from './trial-processes.js';

/** Above this share of its core the generator, not the server, is being measured. */
export const GENERATOR_SATURATION = 0.85;
const ACK_TIMEOUT_MS = 10_000;

/**
 * One run of a fan-out scenario on a fresh server: warm-up broadcasts (counted, then dropped),
 * then the measured window on the same open-loop schedule. The window ends when every client has
 * every measured broadcast, or at the drain timeout; server and generator CPU are read from /proc
 * at both ends.
 */
export async function runFanoutTrial(
  target: Target,
  scenario: FanoutScenario,
  run: number,
  connectConcurrency: number,
): Promise<FanoutTrialResult> {
  const procs = await startTrialProcesses(target, scenario.clients, connectConcurrency);
  const { server, generator } = procs;
  const trigger = (seq: number, intendedTs: number): void =>
    server.send({ type: 'trigger', seq, intended_ts: intendedTs });
  try {
    const warmup = scenario.warmupBroadcasts;
    generator.send({ type: 'expect', from_seq: 0, to_seq: warmup, record: false });
    await generator.next('expecting', ACK_TIMEOUT_MS);
    await runOpenLoop({
      firstSeq: 0,
      count: warmup,
      perSecond: scenario.broadcastsPerSecond,
      trigger,
    });
    await generator.next('complete', scenario.drainTimeoutMs);

    const first = warmup;
    const count = scenario.measuredBroadcasts;
    generator.send({ type: 'expect', from_seq: first, to_seq: first + count, record: true });
    await generator.next('expecting', ACK_TIMEOUT_MS);

    const systemBefore = sampleSystemCpu();
    const serverBefore = sampleCpu(server.pid);
    const generatorBefore = sampleCpu(generator.pid);
    const triggerLagMs = await runOpenLoop({
      firstSeq: first,
      count,
      perSecond: scenario.broadcastsPerSecond,
      trigger,
    });
    await generator.waitFor('complete', scenario.drainTimeoutMs);
    const serverCpu = cpuBetween(serverBefore, sampleCpu(server.pid));
    const generatorCpu = cpuBetween(generatorBefore, sampleCpu(generator.pid));
    const systemAfter = sampleSystemCpu();
    const systemWallUs = systemAfter.wall_us - systemBefore.wall_us;
    const otherCpuUs =
      systemAfter.busy_us - systemBefore.busy_us - serverCpu.cpu_us - generatorCpu.cpu_us;
    const rssKb = readMemoryKb(server.pid, 'VmRSS');
    const hwmKb = readMemoryKb(server.pid, 'VmHWM');

    generator.send({ type: 'report' });
    const { report } = await generator.next('report', ACK_TIMEOUT_MS);
    const windowS = serverCpu.wall_us / 1e6;
    return {
      kind: 'fanout',
      target: target.id,
      scenario: scenario.name,
      run,
      clients: scenario.clients,
      broadcasts: count,
      expected_deliveries: report.expected,
      received_deliveries: report.received,
      missing_deliveries: report.expected - report.received,
      duplicate_deliveries: report.duplicates,
      closed_connections: report.closed,
      window_s: round(windowS, 3),
      deliveries_per_s: Math.round(report.received / windowS),
      server_cpu_us_per_delivery: round(serverCpu.cpu_us / Math.max(1, report.received), 2),
      server_cpu_share: round(serverCpu.share, 3),
      generator_cpu_share: round(generatorCpu.share, 3),
      generator_saturated: generatorCpu.share > GENERATOR_SATURATION,
      latency_intended_p50_us: report.from_intended.p50_us,
      latency_intended_p99_us: report.from_intended.p99_us,
      latency_intended_max_us: report.from_intended.max_us,
      latency_sent_p50_us: report.from_sent.p50_us,
      latency_sent_p99_us: report.from_sent.p99_us,
      server_rss_kb: rssKb,
      server_hwm_kb: hwmKb,
      frame_bytes: report.mean_frame_bytes,
      trigger_lag_max_ms: round(triggerLagMs, 2),
      other_cpu_cores: round(Math.max(0, otherCpuUs) / systemWallUs, 3),
      steal_cpu_cores: round((systemAfter.steal_us - systemBefore.steal_us) / systemWallUs, 3),
      negative_latencies: report.negative_latencies,
    };
  } finally {
    await procs.stop();
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
