import { BASELINE, isTargetId } from './targets/index.js';
import type { TargetId } from './target.js';

/** One room of `clients` members receiving broadcasts on a fixed schedule. */
export interface FanoutScenario {
  kind: 'fanout';
  name: string;
  clients: number;
  /** Broadcasts per second (deliveries per second ÷ clients). */
  broadcastsPerSecond: number;
  /** Broadcasts sent first and discarded (BENCHMARKING.md: 20 is enough). */
  warmupBroadcasts: number;
  /** Broadcasts in the measured window (rate × window seconds). */
  measuredBroadcasts: number;
  /** After the last measured broadcast, how long to wait for missing deliveries, in ms. */
  drainTimeoutMs: number;
}

/** `clients` connections that join and do nothing; the server's RSS is read before and after. */
export interface IdleScenario {
  kind: 'idle';
  name: string;
  clients: number;
  /** Pause before each RSS reading, after a forced GC, in ms. */
  settleMs: number;
}

export type Scenario = FanoutScenario | IdleScenario;

export interface BenchConfig {
  quick: boolean;
  /** Runs of every scenario on every target, interleaved A B C A B C. */
  runs: number;
  targets: TargetId[];
  scenarios: Scenario[];
  /** Handshakes the generator has in flight at once. */
  connectConcurrency: number;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function fanout(
  name: string,
  clients: number,
  deliveriesPerSecond: number,
  seconds: number,
): FanoutScenario {
  const broadcastsPerSecond = deliveriesPerSecond / clients;
  return {
    kind: 'fanout',
    name,
    clients,
    broadcastsPerSecond,
    warmupBroadcasts: 20,
    measuredBroadcasts: Math.max(1, Math.round(broadcastsPerSecond * seconds)),
    drainTimeoutMs: 30_000,
  };
}

/**
 * Settings, all from the environment:
 * - BENCH_QUICK=1: smoke test (1 run, 3 s windows, 500 members, 2,000 idle connections).
 * - BENCH_RUNS (default 3), BENCH_CLIENTS room size (default 2,000), BENCH_SECONDS fixed-rate
 *   window (default 10), BENCH_OVERLOAD_SECONDS (default 5), BENCH_IDLE_CLIENTS (default 10,000).
 * - BENCH_RATE deliveries/s of the fixed-rate scenario (default 20,000); BENCH_OVERLOAD_RATE
 *   (default 120,000, i.e. 60 broadcasts/s at 2,000 members: past one generator core).
 * - BENCH_TARGETS: comma-separated ids (default all: ws, ws-frame-once, salon, salon-speak, socket.io).
 * - BENCH_SCENARIOS: comma-separated scenarios to run (default all: fixed, overload, idle).
 */
export function loadBenchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const clients = intFromEnv(env, 'BENCH_CLIENTS', quick ? 500 : 2000);
  const seconds = intFromEnv(env, 'BENCH_SECONDS', quick ? 3 : 10);
  const overloadSeconds = intFromEnv(env, 'BENCH_OVERLOAD_SECONDS', quick ? 3 : 5);
  const rate = intFromEnv(env, 'BENCH_RATE', 20_000);
  const overloadRate = intFromEnv(env, 'BENCH_OVERLOAD_RATE', 120_000);
  const idleClients = intFromEnv(env, 'BENCH_IDLE_CLIENTS', quick ? 2000 : 10_000);

  const targets = (env.BENCH_TARGETS ?? 'ws,ws-frame-once,salon,salon-speak,socket.io')
    .split(',')
    .map((t) => t.trim());
  for (const t of targets) {
    if (!isTargetId(t)) throw new Error(`BENCH_TARGETS: unknown target "${t}"`);
  }
  if (!targets.includes(BASELINE)) {
    throw new Error(`BENCH_TARGETS must include the baseline "${BASELINE}": ratios divide by it`);
  }

  return {
    quick,
    runs: intFromEnv(env, 'BENCH_RUNS', quick ? 1 : 3),
    targets: targets as TargetId[],
    connectConcurrency: 200,
    scenarios: (
      [
        fanout(`fixed ${String(rate)} deliveries/s`, clients, rate, seconds),
        fanout(
          `overload ${String(overloadRate)} deliveries/s`,
          clients,
          overloadRate,
          overloadSeconds,
        ),
        {
          kind: 'idle',
          name: `idle ${String(idleClients)} connections`,
          clients: idleClients,
          settleMs: 1000,
        },
      ] satisfies Scenario[]
    ).filter((s) => scenarioChosen(env.BENCH_SCENARIOS, s.name)),
  };
}

/** BENCH_SCENARIOS: comma-separated first words of scenario names (fixed, overload, idle). */
function scenarioChosen(list: string | undefined, name: string): boolean {
  if (list === undefined || list === '') return true;
  const first = name.split(' ')[0] ?? '';
  return list.split(',').some((w) => w.trim() === first);
}
