import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../machine-info.js';
import { PinnedChild, serverNodeArgs } from '../pinned-child.js';
import { cpuBetween, readMemoryKb, sampleCpu, sampleSystemCpu } from '../proc-stats.js';
import { QUIET_CORES, waitForQuietMachine } from '../quiet-machine.js';
import { median } from '../summary.js';
import type {
  RoomsGeneratorCommand,
  RoomsGeneratorEvent,
  RoomsRunReport,
  RoomsServerCommand,
  RoomsServerEvent,
} from './small-rooms-ipc.js';

/**
 * The common case of a chat server: many small rooms. ROOMS rooms of MEMBERS people (one
 * connection each); one person per room speaks once a second, the rooms spread evenly over the
 * second, so the server takes ROOMS messages/s and delivers ROOMS × MEMBERS. Salon persists each
 * message (SQLite, synchronous=FULL) before broadcasting it; the peers only relay: a plain `ws`
 * relay (the floor) and Socket.IO 4 rooms. Server pinned to core 0, generator to core 1; targets
 * interleaved in each run. Latency is from each message's intended send time to its arrival at
 * each member (the sender's own copy included). BENCH_ROOMS, BENCH_MEMBERS, BENCH_SECONDS,
 * BENCH_RUNS, BENCH_TARGETS (relay-ws,socket.io,salon) and BENCH_QUICK=1 change the run.
 */
const QUICK = process.env.BENCH_QUICK === '1';
function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0`);
  return n;
}
const ROOMS = envInt('BENCH_ROOMS', QUICK ? 200 : 1000);
const MEMBERS = envInt('BENCH_MEMBERS', 5);
const SECONDS = envInt('BENCH_SECONDS', QUICK ? 3 : 10);
const RUNS = envInt('BENCH_RUNS', QUICK ? 1 : 3);
const PERIOD_MS = 1000;

const here = path.dirname(fileURLToPath(import.meta.url));
const TARGETS = [
  { id: 'relay-ws', label: 'ws relay (no storage)', script: 'relay-ws-server.ts' },
  { id: 'socket.io', label: 'Socket.IO 4 rooms (no storage)', script: 'relay-socket-io-server.ts' },
  { id: 'salon', label: 'Salon (every message stored)', script: 'salon-rooms-server.ts' },
] as const;
type TargetId = (typeof TARGETS)[number]['id'];
const chosen = process.env.BENCH_TARGETS?.split(',');
const targets = TARGETS.filter((t) => chosen === undefined || chosen.includes(t.id));

interface Trial {
  target: TargetId;
  run: number;
  report: RoomsRunReport;
  server_cpu_us_per_message: number;
  server_cpu_us_per_delivery: number;
  server_cpu_share: number;
  server_rss_mb: number;
  connect_s: number;
  other_cores: number;
  quiet_start: boolean;
}

async function trial(
  target: (typeof TARGETS)[number],
  run: number,
  quiet: boolean,
): Promise<Trial> {
  const server = new PinnedChild<RoomsServerCommand, RoomsServerEvent>({
    core: 0,
    script: path.join(here, target.script),
    name: `server(${target.id})`,
    nodeArgs: serverNodeArgs(),
  });
  const generator = new PinnedChild<RoomsGeneratorCommand, RoomsGeneratorEvent>({
    core: 1,
    script: path.join(here, 'small-rooms-generator.ts'),
    name: 'generator',
  });
  try {
    server.send({ type: 'start', rooms: ROOMS, members: MEMBERS });
    const { connect } = await server.next('ready', 300_000);
    generator.send({ type: 'connect', connect, rooms: ROOMS, members: MEMBERS });
    const connected = await generator.next('connected', 300_000);
    // Warm-up: two messages per room (JIT, statement caches, the writer thread).
    generator.send({ type: 'run', count: ROOMS * 2, period_ms: PERIOD_MS, record: false });
    await generator.next('done', 120_000);

    const cpuBefore = sampleCpu(server.pid);
    const generatorBefore = sampleCpu(generator.pid);
    const systemBefore = sampleSystemCpu();
    generator.send({ type: 'run', count: ROOMS * SECONDS, period_ms: PERIOD_MS, record: true });
    const { report } = await generator.next('done', 180_000);
    const cpu = cpuBetween(cpuBefore, sampleCpu(server.pid));
    const generatorCpu = cpuBetween(generatorBefore, sampleCpu(generator.pid));
    const systemAfter = sampleSystemCpu();
    const wallUs = systemAfter.wall_us - systemBefore.wall_us;
    const otherUs = systemAfter.busy_us - systemBefore.busy_us - cpu.cpu_us - generatorCpu.cpu_us;
    return {
      target: target.id,
      run,
      report,
      server_cpu_us_per_message: cpu.cpu_us / Math.max(1, report.sent),
      server_cpu_us_per_delivery: cpu.cpu_us / Math.max(1, report.delivered),
      server_cpu_share: cpu.share,
      server_rss_mb: readMemoryKb(server.pid) / 1024,
      connect_s: connected.elapsed_ms / 1000,
      other_cores: Math.max(0, otherUs / wallUs),
      quiet_start: quiet,
    };
  } finally {
    await generator.stop();
    await server.stop();
  }
}

const all: Trial[] = [];
for (let run = 1; run <= RUNS; run++) {
  for (const target of targets) {
    const quiet = await waitForQuietMachine(60_000);
    const t = await trial(target, run, quiet);
    all.push(t);
    const r = t.report;
    process.stdout.write(
      `run ${String(run)} ${target.id.padEnd(9)}: ${String(r.delivered)}/${String(r.expected)} delivered, ` +
        `p50 ${r.p50_ms.toFixed(1)} p99 ${r.p99_ms.toFixed(1)} p99.9 ${r.p999_ms.toFixed(1)} ms, ` +
        `server ${t.server_cpu_us_per_message.toFixed(0)} µs/msg ${t.server_cpu_us_per_delivery.toFixed(1)} µs/delivery, ` +
        `others ${t.other_cores.toFixed(2)} cores${quiet ? '' : ' (busy machine)'}\n`,
    );
  }
}

const fmt = (xs: number[], digits = 1): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
const baseline = all
  .filter((t) => t.target === 'relay-ws')
  .map((t) => t.server_cpu_us_per_delivery);
const lines = [
  `# Small rooms: ${String(ROOMS)} rooms of ${String(MEMBERS)}, one message per room per second`,
  '',
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${JSON.stringify(machineInfo())}.`,
  `${String(ROOMS)} messages/s offered for ${String(SECONDS)} s after a warm-up, ${String(ROOMS * MEMBERS)} connections, ` +
    `${String(RUNS)} run(s) with the targets interleaved; medians (min–max). Server on core 0, generator on core 1.`,
  `Trials that started on a busy machine (other work above ${String(QUIET_CORES)} cores): ` +
    `${String(all.filter((t) => !t.quiet_start).length)} of ${String(all.length)}; the "other load" column says how busy.`,
  '',
  '| target | delivered | p50 ms | p99 ms | p99.9 ms | server µs/msg | server µs/delivery | ×ws relay | server CPU share | server RSS MiB | other load, cores |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const target of targets) {
  const ts = all.filter((t) => t.target === target.id);
  if (ts.length === 0) continue;
  const perDelivery = ts.map((t) => t.server_cpu_us_per_delivery);
  const ratio = baseline.length > 0 ? (median(perDelivery) / median(baseline)).toFixed(2) : '–';
  lines.push(
    `| ${target.label} | ${String(Math.min(...ts.map((t) => t.report.delivered)))}/${String(ts[0]?.report.expected ?? 0)} | ` +
      `${fmt(ts.map((t) => t.report.p50_ms))} | ${fmt(ts.map((t) => t.report.p99_ms))} | ${fmt(ts.map((t) => t.report.p999_ms))} | ` +
      `${fmt(
        ts.map((t) => t.server_cpu_us_per_message),
        0,
      )} | ${fmt(perDelivery)} | ${ratio} | ` +
      `${fmt(
        ts.map((t) => t.server_cpu_share),
        2,
      )} | ${fmt(
        ts.map((t) => t.server_rss_mb),
        0,
      )} | ${fmt(
        ts.map((t) => t.other_cores),
        2,
      )} |`,
  );
}
const markdown = `${lines.join('\n')}\n`;
process.stdout.write(`\n${markdown}`);
const resultsDir = path.join(here, '..', '..', 'results');
fs.mkdirSync(resultsDir, { recursive: true });
const stamp = `${new Date().toISOString().slice(0, 10)}${QUICK ? '-quick' : ''}`;
fs.writeFileSync(path.join(resultsDir, `small-rooms-${stamp}.md`), markdown);
fs.writeFileSync(
  path.join(resultsDir, `small-rooms-${stamp}.json`),
  `${JSON.stringify(all, null, 2)}\n`,
);
