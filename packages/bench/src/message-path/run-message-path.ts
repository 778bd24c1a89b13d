import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../machine-info.js';
import { PinnedChild } from '../pinned-child.js';
import { cpuBetween, readMemoryKb, sampleCpu } from '../proc-stats.js';
import { median } from '../summary.js';
import type {
  MpGeneratorCommand,
  MpGeneratorEvent,
  MpRunReport,
  MpServerCommand,
  MpServerEvent,
} from './messages-ipc.js';

/**
 * The message-path benchmark: `speak` → message job → committed at synchronous=FULL → broadcast
 * back to the sender, at fixed offered rates, with the server's event-loop delay while it
 * persists. The two SQLite writers (writer thread vs. main thread) are measured in the same run,
 * interleaved. Server pinned to core 0, generator to core 1 (BENCHMARKING.md).
 */
const QUICK = process.env.BENCH_QUICK === '1';
const RATES = QUICK ? [5_000, 20_000] : [5_000, 10_000, 20_000, 30_000];
const SECONDS = QUICK ? 2 : 4;
const RUNS = QUICK ? 1 : 3;
const SENDERS = 100;
const WRITERS = ['thread', 'main'] as const;
type Writer = (typeof WRITERS)[number];

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
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function trial(writer: Writer, run: number): Promise<Trial[]> {
  process.env.SALON_MESSAGE_WRITER = writer;
  const server = new PinnedChild<MpServerCommand, MpServerEvent>({
    core: 0,
    script: path.join(here, 'message-server.ts'),
    name: `server(${writer})`,
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
    let stored = 2_000;
    for (const rate of RATES) {
      const count = rate * SECONDS;
      server.send({ type: 'window-start' });
      const cpuBefore = sampleCpu(server.pid);
      generator.send({ type: 'run', per_second: rate, count, record: true });
      const { report } = await generator.next('done', 120_000);
      const cpu = cpuBetween(cpuBefore, sampleCpu(server.pid));
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
      });
      stored = window.stored;
      const t = trials.at(-1);
      if (t) {
        process.stdout.write(
          `  ${writer.padEnd(6)} ${String(rate).padStart(6)}/s: acked ${String(report.acked)}/${String(count)} stored ${String(t.stored_delta)}, ` +
            `${(report.acked / (report.elapsed_ms / 1000)).toFixed(0)} msg/s, p50 ${report.p50_ms.toFixed(1)} ms p99 ${report.p99_ms.toFixed(1)} ms, ` +
            `loop p99 ${t.loop_p99_ms.toFixed(1)} ms max ${t.loop_max_ms.toFixed(1)} ms, server ${t.server_cpu_us_per_message.toFixed(1)} µs/msg, ` +
            `generator ${(report.generator_cpu_share * 100).toFixed(0)}%\n`,
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
    all.push(...(await trial(writer, run)));
  }
}

const lines = [
  `# Message path: speak → stored (synchronous=FULL) → broadcast`,
  '',
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${JSON.stringify(machineInfo())}.`,
  `${String(SENDERS)} senders, one room each (the sender's own broadcast is its acknowledgement); offered rates for ${String(SECONDS)} s each; ${String(RUNS)} run(s), writers interleaved; medians (min–max).`,
  '',
  '| writer | offered msg/s | acked msg/s | lost | p50 ms | p99 ms | p99 from actual send ms | event-loop p99 ms | event-loop max ms | server µs/msg | generator CPU |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
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
      )} | ${String(Math.max(...ts.map((t) => t.report.sent - t.stored_delta)))} | ${fmt(ts.map((t) => t.report.p50_ms))} | ${fmt(ts.map((t) => t.report.p99_ms))} | ${fmt(ts.map((t) => t.report.actual_p99_ms))} | ${fmt(ts.map((t) => t.loop_p99_ms))} | ${fmt(ts.map((t) => t.loop_max_ms))} | ${fmt(ts.map((t) => t.server_cpu_us_per_message))} | ${fmt(
        ts.map((t) => t.report.generator_cpu_share * 100),
        0,
      )}% |`,
    );
  }
}
const markdown = `${lines.join('\n')}\n`;
process.stdout.write(`\n${markdown}`);
const resultsDir = path.join(here, '..', '..', 'results');
fs.mkdirSync(resultsDir, { recursive: true });
const stamp = `${new Date().toISOString().slice(0, 10)}${QUICK ? '-quick' : ''}`;
fs.writeFileSync(path.join(resultsDir, `message-path-${stamp}.md`), markdown);
fs.writeFileSync(
  path.join(resultsDir, `message-path-${stamp}.json`),
  `${JSON.stringify(all, null, 2)}\n`,
);
