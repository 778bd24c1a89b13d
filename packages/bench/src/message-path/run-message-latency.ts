import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { machineInfo } from '../machine-info.js';
import { PinnedChild } from '../pinned-child.js';
import { QUIET_CORES, waitForQuietMachine } from '../quiet-machine.js';
import { median } from '../summary.js';
import type {
  MpGeneratorCommand,
  MpGeneratorEvent,
  MpServerCommand,
  MpServerEvent,
} from './messages-ipc.js';

/**
 * Message latency when there is nothing to group (issue 13): `speak` → committed durably →
 * broadcast back to the sender, timed by the sender (so the figure includes loopback both ways
 * and is an upper bound of the server's receipt → broadcast).
 *
 * - low-load: 10 msg/s for BENCH_LOW_SECONDS (default 10) after a short warm-up, one server.
 * - first-message: a server restarted on existing data (accounts, rooms, sessions made by an
 *   earlier server), one connection, one message; BENCH_STARTS (default 20) starts for a p99.
 *
 * Stores as in run-message-path.ts (BENCH_STORES narrows: thread, main, postgres). With
 * BENCH_COMPARE_ROOT=<checkout> a second build (e.g. main before a change, with this bench
 * copied in) runs the same trials interleaved with this one, labelled `before`/`after`.
 * BENCH_RUNS repeats the low-load trial; BENCH_SCENARIOS narrows (low-load, first-message). Server pinned to core 0, generator to core 1.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a whole number above 0`);
  return n;
};
const LOW_RATE = 10;
const LOW_SECONDS = positive('BENCH_LOW_SECONDS', 10);
const STARTS = positive('BENCH_STARTS', 20);
const RUNS = positive('BENCH_RUNS', 3);
const ALL_STORES = ['thread', 'main', 'postgres'] as const;
type Store = (typeof ALL_STORES)[number];
const STORES: readonly Store[] =
  process.env.BENCH_STORES === undefined
    ? ALL_STORES
    : ALL_STORES.filter((s) => process.env.BENCH_STORES?.split(',').includes(s));
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'low-load,first-message').split(',');
/** How long a trial waits for a quiet machine before running anyway (the machine is shared). */
const QUIET_WAIT_MS = positive('BENCH_QUIET_WAIT_MS', 5_000);
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Build {
  label: string;
  /** The message-path folder whose server and generator run (its @salon/server is the build's). */
  dir: string;
}
const compareRoot = process.env.BENCH_COMPARE_ROOT;
const BUILDS: Build[] = [
  { label: compareRoot === undefined ? 'this' : 'after', dir: here },
  ...(compareRoot === undefined
    ? []
    : [
        {
          label: 'before',
          dir: path.join(path.resolve(compareRoot), 'packages/bench/src/message-path'),
        },
      ]),
];

function useStore(store: Store): void {
  process.env.SALON_MESSAGE_WRITER = store === 'postgres' ? 'thread' : store;
  process.env.BENCH_DATABASE = store === 'postgres' ? 'postgres' : 'sqlite';
}

function server(build: Build, store: Store): PinnedChild<MpServerCommand, MpServerEvent> {
  useStore(store);
  return new PinnedChild({
    core: 0,
    script: path.join(build.dir, 'message-server.ts'),
    name: `server(${build.label}, ${store})`,
  });
}

function generator(build: Build): PinnedChild<MpGeneratorCommand, MpGeneratorEvent> {
  return new PinnedChild({
    core: 1,
    script: path.join(build.dir, 'message-generator.ts'),
    name: `generator(${build.label})`,
  });
}

interface LowLoadTrial {
  build: string;
  store: Store;
  run: number;
  acked: number;
  sent: number;
  p50_ms: number;
  p99_ms: number;
  loop_p99_ms: number;
  quiet_start: boolean;
}

async function lowLoad(build: Build, store: Store, run: number): Promise<LowLoadTrial> {
  const quiet = await waitForQuietMachine(QUIET_WAIT_MS);
  const srv = server(build, store);
  const gen = generator(build);
  try {
    srv.send({ type: 'start', senders: 10 });
    const ready = await srv.next('ready', 60_000);
    gen.send({ type: 'connect', url: ready.url, accounts: ready.accounts });
    await gen.next('connected', 60_000);
    // Warm-up (JIT, caches): this scenario is about steady low load, not the start.
    gen.send({ type: 'run', per_second: 200, count: 200, record: false });
    await gen.next('done', 60_000);
    srv.send({ type: 'window-start' });
    await srv.next('window-started', 30_000);
    const count = LOW_RATE * LOW_SECONDS;
    gen.send({ type: 'run', per_second: LOW_RATE, count, record: true });
    const { report } = await gen.next('done', 120_000);
    srv.send({ type: 'window-end' });
    const window = await srv.next('window', 30_000);
    return {
      build: build.label,
      store,
      run,
      acked: report.acked,
      sent: report.sent,
      p50_ms: report.actual_p50_ms,
      p99_ms: report.actual_p99_ms,
      loop_p99_ms: window.loop_p99_ms,
      quiet_start: quiet,
    };
  } finally {
    await gen.stop();
    await srv.stop();
  }
}

interface FirstMessageTrial {
  build: string;
  store: Store;
  start: number;
  ms: number;
  quiet_start: boolean;
}

/** Data an earlier server made, for one build and store, reused by every restart. */
interface Seed {
  env: Record<string, string>;
  accounts: { token: string; room_id: string }[];
  cleanup(): Promise<void>;
}

async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function seed(build: Build, store: Store): Promise<Seed> {
  const env: Record<string, string> = {};
  let cleanup: () => Promise<void>;
  if (store === 'postgres') {
    const name = `salon_bench_first_${String(process.pid)}_${build.label}`;
    await pgAdmin(`CREATE DATABASE ${name}`);
    env.BENCH_PG_DATABASE = name;
    cleanup = () => pgAdmin(`DROP DATABASE ${name}`);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-bench-first-'));
    env.BENCH_DATA_DIR = dir;
    cleanup = () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true }));
  }
  Object.assign(process.env, env);
  const srv = server(build, store);
  try {
    srv.send({ type: 'start', senders: 1 });
    const ready = await srv.next('ready', 60_000);
    return { env, accounts: ready.accounts, cleanup };
  } finally {
    await srv.stop();
    for (const key of Object.keys(env)) Reflect.deleteProperty(process.env, key);
  }
}

async function firstMessage(
  build: Build,
  store: Store,
  start: number,
  data: Seed,
  gen: PinnedChild<MpGeneratorCommand, MpGeneratorEvent>,
): Promise<FirstMessageTrial> {
  const quiet = await waitForQuietMachine(QUIET_WAIT_MS);
  Object.assign(process.env, data.env);
  const srv = server(build, store);
  for (const key of Object.keys(data.env)) Reflect.deleteProperty(process.env, key);
  try {
    srv.send({ type: 'listen' });
    const ready = await srv.next('ready', 60_000);
    gen.send({ type: 'connect', url: ready.url, accounts: data.accounts });
    await gen.next('connected', 60_000);
    gen.send({ type: 'probe' });
    const { ms } = await gen.next('probed', 60_000);
    return { build: build.label, store, start, ms, quiet_start: quiet };
  } finally {
    await srv.stop();
  }
}

/** Nearest-rank percentile. */
function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const range = (xs: number[], digits = 1): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

const lowTrials: LowLoadTrial[] = [];
const firstTrials: FirstMessageTrial[] = [];

if (SCENARIOS.includes('low-load')) {
  for (let run = 1; run <= RUNS; run++) {
    for (const store of STORES) {
      for (const build of BUILDS) {
        const t = await lowLoad(build, store, run);
        lowTrials.push(t);
        process.stdout.write(
          `low-load run ${String(run)} ${build.label} ${store}: acked ${String(t.acked)}/${String(t.sent)} p50 ${t.p50_ms.toFixed(2)} ms p99 ${t.p99_ms.toFixed(2)} ms, loop p99 ${t.loop_p99_ms.toFixed(1)} ms\n`,
        );
      }
    }
  }
}

if (SCENARIOS.includes('first-message')) {
  for (const store of STORES) {
    const seeds = new Map<Build, Seed>();
    const gens = new Map<Build, PinnedChild<MpGeneratorCommand, MpGeneratorEvent>>();
    try {
      for (const build of BUILDS) {
        seeds.set(build, await seed(build, store));
        gens.set(build, generator(build));
      }
      for (let start = 1; start <= STARTS; start++) {
        for (const build of BUILDS) {
          const data = seeds.get(build);
          const gen = gens.get(build);
          if (!data || !gen) throw new Error('first-message: missing seed');
          const t = await firstMessage(build, store, start, data, gen);
          firstTrials.push(t);
          process.stdout.write(
            `first-message start ${String(start)} ${build.label} ${store}: ${t.ms.toFixed(2)} ms\n`,
          );
        }
      }
    } finally {
      for (const gen of gens.values()) await gen.stop();
      for (const data of seeds.values()) await data.cleanup();
    }
  }
}

const lines = [
  '# Message latency with nothing to group: low load and the first message after a start',
  '',
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${JSON.stringify(machineInfo())}.`,
  'Timed by the sender from sending `speak` to receiving its own broadcast (the acknowledgement),',
  "so each figure includes loopback both ways: an upper bound of the server's receipt → broadcast.",
  'SQLite synchronous=FULL (writer thread `thread` or main thread `main`); PostgreSQL default',
  'settings (synchronous_commit on). Server pinned to core 0, generator to core 1; builds and',
  'stores interleaved trial by trial.',
  '',
];
if (lowTrials.length > 0) {
  lines.push(
    `## Low load: ${String(LOW_RATE)} msg/s for ${String(LOW_SECONDS)} s, ${String(RUNS)} run(s)`,
    '',
    `Per run p50/p99 over its ${String(LOW_RATE * LOW_SECONDS)} messages; medians (min–max) over runs. Runs started on a busy machine (other work above ${String(QUIET_CORES)} cores) are counted.`,
    '',
    '| build | store | acked | p50 ms | p99 ms | event-loop p99 ms | busy starts |',
    '|---|---|---|---|---|---|---|',
  );
  for (const store of STORES) {
    for (const build of BUILDS) {
      const ts = lowTrials.filter((t) => t.store === store && t.build === build.label);
      if (ts.length === 0) continue;
      lines.push(
        `| ${build.label} | ${store} | ${String(ts.reduce((n, t) => n + t.acked, 0))}/${String(ts.reduce((n, t) => n + t.sent, 0))} | ${range(
          ts.map((t) => t.p50_ms),
          2,
        )} | ${range(
          ts.map((t) => t.p99_ms),
          2,
        )} | ${range(ts.map((t) => t.loop_p99_ms))} | ${String(ts.filter((t) => !t.quiet_start).length)} |`,
      );
    }
  }
  lines.push('');
}
if (firstTrials.length > 0) {
  lines.push(
    `## First message after a start: ${String(STARTS)} starts per build and store`,
    '',
    'Each start is a new server process on data an earlier server made (no sign-in or room creation',
    'in the measured process), one connection, one message.',
    '',
    '| build | store | p50 ms | p99 ms | min ms | max ms | busy starts |',
    '|---|---|---|---|---|---|---|',
  );
  for (const store of STORES) {
    for (const build of BUILDS) {
      const ts = firstTrials.filter((t) => t.store === store && t.build === build.label);
      if (ts.length === 0) continue;
      const ms = ts.map((t) => t.ms);
      lines.push(
        `| ${build.label} | ${store} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} | ${Math.min(...ms).toFixed(1)} | ${Math.max(...ms).toFixed(1)} | ${String(ts.filter((t) => !t.quiet_start).length)} |`,
      );
    }
  }
  lines.push('');
}
const markdown = lines.join('\n');
process.stdout.write(`\n${markdown}`);
if (process.env.BENCH_NO_WRITE !== '1') {
  const resultsDir = path.join(here, '..', '..', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  // One scenario run on its own gets its own file: the two may run at different times.
  const which = SCENARIOS.length === 1 ? `-${SCENARIOS[0] ?? ''}` : '';
  const stamp = `${which}-${new Date().toISOString().slice(0, 10)}`;
  fs.writeFileSync(path.join(resultsDir, `message-latency${stamp}.md`), markdown);
  fs.writeFileSync(
    path.join(resultsDir, `message-latency${stamp}.json`),
    `${JSON.stringify({ low_load: lowTrials, first_message: firstTrials }, null, 2)}\n`,
  );
}
