import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../machine-info.js';
import { PinnedChild, serverNodeArgs } from '../pinned-child.js';
import {
  cpuBetween,
  readMemoryKb,
  sampleCpu,
  sampleNamedCpuUs,
  sampleSystemCpu,
} from '../proc-stats.js';
import { QUIET_CORES, waitForQuietMachine } from '../quiet-machine.js';
import { median } from '../summary.js';
import type {
  MpGeneratorCommand,
  MpGeneratorEvent,
  MpRunReport,
  MpServerCommand,
  MpServerEvent,
} from './messages-ipc.js';

/**
 * The message-path benchmark: `speak` → message job → committed durably → broadcast back to the
 * sender, at fixed offered rates, with the server's event-loop delay while it persists. The two
 * SQLite writers (writer thread vs. main thread, synchronous=FULL) and PostgreSQL (default
 * settings: synchronous_commit on) are measured in the same run, interleaved. Server pinned to
 * core 0, generator to core 1 (BENCHMARKING.md); PostgreSQL's own processes are not pinned.
 * BENCH_STORES (e.g. `postgres`) narrows the stores; BENCH_PG_URL names the PostgreSQL admin
 * database (default postgres://postgres@127.0.0.1:5432/test); BENCH_RATES (msg/s, comma-
 * separated), BENCH_SECONDS and BENCH_RUNS change the schedule; BENCH_SERVER_NODE_ARGS adds node
 * flags to the server (`--cpu-prof --cpu-prof-dir=DIR` profiles every thread, the writer's too).
 */
const QUICK = process.env.BENCH_QUICK === '1';
/** A positive whole-number list from the environment (BENCH_RATES=5000,20000), or `fallback`. */
function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const xs = raw.split(',').map(Number);
  if (!xs.every((x) => Number.isInteger(x) && x > 0))
    throw new Error(`${name} must be whole numbers above 0, comma-separated (got ${raw})`);
  return xs;
}
const RATES = envList('BENCH_RATES', QUICK ? [5_000, 20_000] : [5_000, 10_000, 20_000, 30_000]);
const SECONDS = envList('BENCH_SECONDS', [QUICK ? 2 : 4])[0] ?? 4;
const RUNS = envList('BENCH_RUNS', [QUICK ? 1 : 3])[0] ?? 3;
const SENDERS = 100;
/**
 * `thread-2cores` is the writer thread with the server allowed both cores, as a server is run
 * (the generator keeps core 1, which it then shares): the message job stores a batch while it
 * announces the one before only when it has more than one core.
 */
const ALL_STORES = ['thread', 'main', 'postgres', 'thread-2cores'] as const;
type Writer = (typeof ALL_STORES)[number];
const WRITERS: readonly Writer[] =
  process.env.BENCH_STORES === undefined
    ? ALL_STORES
    : ALL_STORES.filter((s) => process.env.BENCH_STORES?.split(',').includes(s));

interface Trial {
  writer: Writer;
  rate: number;
  run: number;
  report: MpRunReport;
  stored_delta: number;
  server_cpu_us_per_message: number;
  server_cpu_share: number;
  loop_p99_ms: number;
  loop_max_ms: number;
  server_rss_mb: number;
  /** Cores PostgreSQL's processes used during the window (0 for SQLite). */
  postgres_cores: number;
  /** Cores used by everything else on the machine (other work, not this benchmark). */
  other_cores: number;
  /** Whether the machine was quiet when the trial started. */
  quiet_start: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function trial(writer: Writer, run: number, quietStart: boolean): Promise<Trial[]> {
  // SQLite's writer choice; 'postgres' runs on PostgreSQL (where the setting does not apply).
  process.env.SALON_MESSAGE_WRITER = writer === 'main' ? 'main' : 'thread';
  process.env.BENCH_DATABASE = writer === 'postgres' ? 'postgres' : 'sqlite';
  const server = new PinnedChild<MpServerCommand, MpServerEvent>({
    core: writer === 'thread-2cores' ? '0-1' : 0,
    script: path.join(here, 'message-server.ts'),
    name: `server(${writer})`,
    nodeArgs: serverNodeArgs(),
  });
  const generator = new PinnedChild<MpGeneratorCommand, MpGeneratorEvent>({
    core: 1,
    script: path.join(here, 'message-generator.ts'),
    name: 'generator',
  });
  try {
    server.send({ type: 'start', senders: SENDERS });
    const ready = await server.next('ready', 60_000);
    generator.send({ type: 'connect', url: ready.url, accounts: ready.accounts });
    await generator.next('connected', 60_000);
    // Warm-up: JIT, statement caches, the writer thread's start.
    generator.send({ type: 'run', per_second: 2_000, count: 2_000, record: false });
    await generator.next('done', 60_000);

    const trials: Trial[] = [];
    for (const rate of RATES) {
      const count = rate * SECONDS;
      server.send({ type: 'window-start' });
      // What earlier windows left queued is stored by now or counts against this one.
      const { stored } = await server.next('window-started', 30_000);
      const cpuBefore = sampleCpu(server.pid);
      const generatorBefore = sampleCpu(generator.pid);
      const pgBefore = sampleNamedCpuUs('postgres');
      const systemBefore = sampleSystemCpu();
      generator.send({ type: 'run', per_second: rate, count, record: true });
      const { report } = await generator.next('done', 120_000);
      const cpu = cpuBetween(cpuBefore, sampleCpu(server.pid));
      const generatorCpu = cpuBetween(generatorBefore, sampleCpu(generator.pid));
      const pgUs = sampleNamedCpuUs('postgres') - pgBefore;
      const systemAfter = sampleSystemCpu();
      const wallUs = systemAfter.wall_us - systemBefore.wall_us;
      const otherUs =
        systemAfter.busy_us - systemBefore.busy_us - cpu.cpu_us - generatorCpu.cpu_us - pgUs;
      server.send({ type: 'window-end' });
      const window = await server.next('window', 30_000);
      trials.push({
        writer,
        rate,
        run,
        report,
        stored_delta: window.stored - stored,
        server_cpu_us_per_message: cpu.cpu_us / Math.max(1, report.acked),
        server_cpu_share: cpu.share,
        loop_p99_ms: window.loop_p99_ms,
        loop_max_ms: window.loop_max_ms,
        server_rss_mb: readMemoryKb(server.pid) / 1024,
        postgres_cores: pgUs / wallUs,
        other_cores: Math.max(0, otherUs / wallUs),
        quiet_start: quietStart,
      });
      const t = trials.at(-1);
      if (t) {
        process.stdout.write(
          `  ${writer.padEnd(6)} ${String(rate).padStart(6)}/s: acked ${String(report.acked)}/${String(count)} refused ${JSON.stringify(report.refused)} stored ${String(t.stored_delta)}, ` +
            `${(report.acked / (report.elapsed_ms / 1000)).toFixed(0)} msg/s, p50 ${report.p50_ms.toFixed(1)} ms p99 ${report.p99_ms.toFixed(1)} ms, ` +
            `loop p99 ${t.loop_p99_ms.toFixed(1)} ms max ${t.loop_max_ms.toFixed(1)} ms, server ${t.server_cpu_us_per_message.toFixed(1)} µs/msg, ` +
            `generator ${(report.generator_cpu_share * 100).toFixed(0)}%, postgres ${t.postgres_cores.toFixed(2)} cores, others ${t.other_cores.toFixed(2)} cores\n`,
        );
      }
    }
    return trials;
  } finally {
    await generator.stop();
    await server.stop();
  }
}

const all: Trial[] = [];
for (let run = 1; run <= RUNS; run++) {
  for (const writer of WRITERS) {
    process.stdout.write(`run ${String(run)}/${String(RUNS)}, writer ${writer}\n`);
    const quiet = await waitForQuietMachine(60_000);
    if (!quiet)
      process.stdout.write(
        `  the machine stayed above ${String(QUIET_CORES)} cores busy: running anyway\n`,
      );
    all.push(...(await trial(writer, run, quiet)));
  }
}

const lines = [
  `# Message path: speak → stored durably → broadcast (SQLite writer thread, SQLite main thread, PostgreSQL)`,
  '',
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${JSON.stringify(machineInfo())}.`,
  `Trials that started on a busy machine (other work above ${String(QUIET_CORES)} cores): ${String(all.filter((t) => !t.quiet_start).length / RATES.length)} of ${String(all.length / RATES.length)}.`,
  `${String(SENDERS)} senders, one room each (the sender's own broadcast is its acknowledgement); offered rates for ${String(SECONDS)} s each; ${String(RUNS)} run(s), writers interleaved; medians (min–max).`,
  '',
  'Stores: `thread` and `main` are SQLite (synchronous=FULL) with the writer thread or on the main thread; `postgres` is PostgreSQL ' +
    `${pgVersion()} with its default settings (synchronous_commit on, fsync on), on this machine, not pinned. ` +
    'The server is pinned to core 0, except `thread-2cores`: the writer thread with the server free to use both cores, sharing core 1 with the generator.',
  '',
  '| store | offered msg/s | acked msg/s | refused (most in a run) | unanswered | p50 ms | p99 ms | p99 from actual send ms | event-loop p99 ms | event-loop max ms | server µs/msg | generator CPU | PostgreSQL cores | other load, cores |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const refusedTotal = (t: Trial): number =>
  Object.values(t.report.refused).reduce((a, b) => a + b, 0);
/** Sent and neither acknowledged nor refused within the generator's 30 s wait. */
const unanswered = (t: Trial): number => t.report.sent - t.report.acked - refusedTotal(t);
/** The run with the most refusals, by code ("0" when none refused anything). */
function refusedCell(ts: Trial[]): string {
  const worst = ts.reduce((a, b) => (refusedTotal(b) > refusedTotal(a) ? b : a));
  const codes = Object.entries(worst.report.refused);
  return codes.length === 0 ? '0' : codes.map(([code, n]) => `${String(n)} ${code}`).join(', ');
}
const fmt = (xs: number[], digits = 1): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
for (const writer of WRITERS) {
  for (const rate of RATES) {
    const ts = all.filter((t) => t.writer === writer && t.rate === rate);
    if (ts.length === 0) continue;
    lines.push(
      `| ${writer} | ${String(rate)} | ${fmt(
        ts.map((t) => t.report.acked / (t.report.elapsed_ms / 1000)),
        0,
      )} | ${refusedCell(ts)} | ${String(Math.max(...ts.map(unanswered)))} | ${fmt(ts.map((t) => t.report.p50_ms))} | ${fmt(ts.map((t) => t.report.p99_ms))} | ${fmt(ts.map((t) => t.report.actual_p99_ms))} | ${fmt(ts.map((t) => t.loop_p99_ms))} | ${fmt(ts.map((t) => t.loop_max_ms))} | ${fmt(ts.map((t) => t.server_cpu_us_per_message))} | ${fmt(
        ts.map((t) => t.report.generator_cpu_share * 100),
        0,
      )}% | ${fmt(
        ts.map((t) => t.postgres_cores),
        2,
      )} | ${fmt(
        ts.map((t) => t.other_cores),
        2,
      )} |`,
    );
  }
}
const markdown = `${lines.join('\n')}\n`;

function pgVersion(): string {
  try {
    // "psql (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)": the client's, installed with the server.
    const out = execFileSync('psql', ['--version'], { encoding: 'utf8' });
    return /\) (\d+(?:\.\d+)*)/.exec(out)?.[1] ?? '(version unknown)';
  } catch {
    return '(version unknown)';
  }
}
process.stdout.write(`\n${markdown}`);
const resultsDir = path.join(here, '..', '..', 'results');
fs.mkdirSync(resultsDir, { recursive: true });
const stamp = `${new Date().toISOString().slice(0, 10)}${QUICK ? '-quick' : ''}`;
fs.writeFileSync(path.join(resultsDir, `message-path-${stamp}.md`), markdown);
fs.writeFileSync(
  path.join(resultsDir, `message-path-${stamp}.json`),
  `${JSON.stringify(all, null, 2)}\n`,
);
