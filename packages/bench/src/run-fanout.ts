import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBenchConfig, type Scenario } from './bench-config.js';
import { runFanoutTrial } from './fanout-trial.js';
import { runIdleTrial } from './idle-trial.js';
import { machineInfo } from './machine-info.js';
import { openFilesLimit } from './proc-stats.js';
import { QUIET_CORES, waitForQuietMachine } from './quiet-machine.js';
import { renderMarkdown } from './report.js';
import type { ResultsDocument, TrialFailure } from './results-document.js';
import { summarize } from './summary.js';
import type { Target, TargetId } from './target.js';
import { BASELINE, TARGETS } from './targets/index.js';
import type { TrialResult } from './trial-result.js';

// `npm run bench`: every scenario, every target, interleaved; results under ../results/.

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
/** Longest wait for other work on the machine to stop before a trial, ms. */
const QUIET_WAIT_MS = 5_000;
/** Descriptors a process needs besides its sockets (node, tsx, IPC, stdio). */
const SPARE_FILES = 256;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function runTrial(target: Target, scenario: Scenario, run: number, concurrency: number) {
  return scenario.kind === 'fanout'
    ? runFanoutTrial(target, scenario, run, concurrency)
    : runIdleTrial(target, scenario, run, concurrency);
}

function describe(result: TrialResult): string {
  if (result.kind === 'idle') {
    return `${String(result.rss_per_connection_bytes)} B/connection`;
  }
  return (
    `${result.server_cpu_us_per_delivery.toFixed(2)} µs/delivery, ` +
    `${String(result.deliveries_per_s)} deliveries/s, ` +
    `p99 ${(result.latency_intended_p99_us / 1000).toFixed(1)} ms, ` +
    `generator ${(result.generator_cpu_share * 100).toFixed(0)} %, ` +
    `missing ${String(result.missing_deliveries)}`
  );
}

async function main(): Promise<void> {
  const started = new Date();
  const config = loadBenchConfig(process.env);
  const largest = Math.max(...config.scenarios.map((s) => s.clients));
  const limit = openFilesLimit();
  if (largest + SPARE_FILES > limit) {
    throw new Error(
      `open files limit ${String(limit)} is below ${String(largest + SPARE_FILES)}: ` +
        'raise it (ulimit -n) or lower BENCH_IDLE_CLIENTS / BENCH_CLIENTS',
    );
  }

  const skipped: Partial<Record<TargetId, string>> = {};
  const targets: Target[] = [];
  for (const target of TARGETS.filter((t) => config.targets.includes(t.id))) {
    const reason = await target.unavailable();
    if (reason === undefined) targets.push(target);
    else {
      skipped[target.id] = reason;
      log(`skipping ${target.id}: ${reason}`);
    }
  }

  const trials: TrialResult[] = [];
  const failures: TrialFailure[] = [];
  for (const scenario of config.scenarios) {
    for (let run = 1; run <= config.runs; run++) {
      for (const target of targets) {
        log(`${scenario.name}, run ${String(run)}/${String(config.runs)}, ${target.id}`);
        if (!(await waitForQuietMachine(QUIET_WAIT_MS))) {
          log(`  the machine stayed above ${String(QUIET_CORES)} cores busy: running anyway`);
        }
        try {
          const result = await runTrial(target, scenario, run, config.connectConcurrency);
          trials.push(result);
          log(`  ${describe(result)}`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failures.push({ target: target.id, scenario: scenario.name, run, error: message });
          log(`  FAILED: ${message}`);
        }
      }
    }
  }

  const date = started.toISOString().slice(0, 10);
  const doc: ResultsDocument = {
    benchmark: 'fanout',
    date,
    started_at: started.toISOString(),
    duration_s: Math.round((Date.now() - started.getTime()) / 1000),
    machine: machineInfo(),
    config,
    baseline: BASELINE,
    labels: Object.fromEntries(TARGETS.map((t) => [t.id, t.label])),
    skipped,
    trials,
    failures,
    summary: summarize(trials, BASELINE),
  };
  // A run of some scenarios only is named after them, and never taken for the full run.
  const only = process.env.BENCH_SCENARIOS
    ? `-${process.env.BENCH_SCENARIOS.replaceAll(',', '-')}`
    : '';
  const base = `${RESULTS_DIR}fanout-${date}${only}${config.quick ? '-quick' : ''}`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${base}.json`, JSON.stringify(doc, null, 2) + '\n');
  const markdown = renderMarkdown(doc);
  writeFileSync(`${base}.md`, markdown);
  process.stdout.write(markdown);
  log(`wrote ${base}.json and ${base}.md`);
  if (failures.length > 0) process.exitCode = 1;
}

await main();
