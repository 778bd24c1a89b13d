import { GENERATOR_SATURATION } from './fanout-trial.js';
import { QUIET_CORES } from './quiet-machine.js';
import type { ResultsDocument } from './results-document.js';
import type { Figure, ScenarioSummary } from './summary.js';
import type { TargetId } from './target.js';

interface Row {
  label: string;
  key: string;
  /** Converts the stored unit to the shown one. */
  scale: number;
  digits: number;
  /** Diagnostics (failures, noise) are shown without a ratio: it would mean nothing. */
  diagnostic?: true;
}

const FANOUT_ROWS: Row[] = [
  { label: 'server CPU µs per delivery', key: 'server_cpu_us_per_delivery', scale: 1, digits: 2 },
  { label: 'deliveries/s', key: 'deliveries_per_s', scale: 1, digits: 0 },
  {
    label: 'latency p50 from intended, ms',
    key: 'latency_intended_p50_us',
    scale: 1e-3,
    digits: 2,
  },
  {
    label: 'latency p99 from intended, ms',
    key: 'latency_intended_p99_us',
    scale: 1e-3,
    digits: 2,
  },
  { label: 'latency p50 from send, ms', key: 'latency_sent_p50_us', scale: 1e-3, digits: 2 },
  { label: 'latency p99 from send, ms', key: 'latency_sent_p99_us', scale: 1e-3, digits: 2 },
  { label: 'server CPU, share of its core', key: 'server_cpu_share', scale: 1, digits: 2 },
  { label: 'generator CPU, share of its core', key: 'generator_cpu_share', scale: 1, digits: 2 },
  { label: 'server RSS after window, MiB', key: 'server_rss_kb', scale: 1 / 1024, digits: 1 },
  { label: 'frame payload, bytes', key: 'frame_bytes', scale: 1, digits: 0 },
  { label: 'missing deliveries', key: 'missing_deliveries', scale: 1, digits: 0, diagnostic: true },
  {
    label: 'other CPU on the machine, cores',
    key: 'other_cpu_cores',
    scale: 1,
    digits: 2,
    diagnostic: true,
  },
  {
    label: 'trigger lag max, ms',
    key: 'trigger_lag_max_ms',
    scale: 1,
    digits: 1,
    diagnostic: true,
  },
];

const IDLE_ROWS: Row[] = [
  {
    label: 'server RSS per connection, KiB',
    key: 'rss_per_connection_bytes',
    scale: 1 / 1024,
    digits: 2,
  },
  { label: 'server RSS before, MiB', key: 'rss_before_kb', scale: 1 / 1024, digits: 1 },
  { label: 'server RSS after, MiB', key: 'rss_after_kb', scale: 1 / 1024, digits: 1 },
  { label: 'time to connect all, s', key: 'connect_ms', scale: 1e-3, digits: 1 },
  {
    label: 'server CPU per connection opened, µs',
    key: 'connect_cpu_us_per_connection',
    scale: 1,
    digits: 1,
  },
];

function cell(figure: Figure | undefined, row: Row, showRange: boolean): string {
  if (!figure) return '—';
  const f = (v: number): string => (v * row.scale).toFixed(row.digits);
  const range = showRange ? ` (${f(figure.min)}–${f(figure.max)})` : '';
  const ratio = figure.ratio === undefined || row.diagnostic ? '' : ` ×${figure.ratio.toFixed(2)}`;
  return `${f(figure.median)}${range}${ratio}`;
}

function table(doc: ResultsDocument, summary: ScenarioSummary): string[] {
  const targets = Object.keys(summary.figures) as TargetId[];
  const rows = summary.kind === 'fanout' ? FANOUT_ROWS : IDLE_ROWS;
  const showRange = doc.config.runs > 1;
  const lines = [
    `| figure | ${targets.map((t) => doc.labels[t] ?? t).join(' | ')} |`,
    `|---|${targets.map(() => '---|').join('')}`,
  ];
  for (const row of rows) {
    const cells = targets.map((t) => cell(summary.figures[t]?.[row.key], row, showRange));
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  const saturated = targets.filter((t) => (summary.saturatedRuns[t] ?? 0) > 0);
  if (saturated.length > 0) {
    lines.push(
      '',
      `Generator above ${String(GENERATOR_SATURATION * 100)} % of its core in: ` +
        saturated
          .map(
            (t) =>
              `${doc.labels[t] ?? t} (${String(summary.saturatedRuns[t])}/${String(summary.runs[t])} runs)`,
          )
          .join(', ') +
        '. There, latency and throughput measure the generator; compare server CPU per delivery.',
    );
  }
  const noisy = targets.filter((t) => (summary.noisyRuns[t] ?? 0) > 0);
  if (noisy.length > 0) {
    lines.push(
      '',
      `Other work on the machine used more than ${String(QUIET_CORES)} cores during: ` +
        noisy
          .map(
            (t) =>
              `${doc.labels[t] ?? t} (${String(summary.noisyRuns[t])}/${String(summary.runs[t])} runs)`,
          )
          .join(', ') +
        '. Those runs are noisy; server CPU per delivery is the figure least affected.',
    );
  }
  return lines;
}

function describeScenario(doc: ResultsDocument, name: string): string {
  const s = doc.config.scenarios.find((x) => x.name === name);
  if (!s) return '';
  if (s.kind === 'idle') {
    return `${String(s.clients)} connections join and stay silent; server VmRSS after a forced GC, before and after.`;
  }
  const seconds = s.measuredBroadcasts / s.broadcastsPerSecond;
  return (
    `One room of ${String(s.clients)} members; ${s.broadcastsPerSecond.toFixed(1)} broadcasts/s ` +
    `(${String(Math.round(s.broadcastsPerSecond * s.clients))} deliveries/s) on an open-loop schedule; ` +
    `${String(s.warmupBroadcasts)} warm-up broadcasts dropped, then ${String(s.measuredBroadcasts)} ` +
    `measured (${seconds.toFixed(1)} s).`
  );
}

/** The committed markdown: machine, method, one table per scenario, failures. */
export function renderMarkdown(doc: ResultsDocument): string {
  const m = doc.machine;
  const out = [
    `# Broadcast fan-out, ${doc.date}${doc.config.quick ? ' (quick mode: smoke test, not a result)' : ''}`,
    '',
    `Machine: ${String(m.nproc)} × ${m.cpu_model}; ${m.kernel}; Node ${m.node}; ws ${m.ws}; commit ${m.commit}.`,
    '',
    'Method (packages/bench, BENCHMARKING.md): a fresh server per run in its own process pinned to core 0;',
    'all clients in one generator process pinned to core 1; broadcasts triggered over IPC on a fixed',
    'schedule; latency from the intended time and from the server’s stamp just before fan-out; server',
    'CPU from /proc/<pid>/stat over the measured window. Runs interleaved A B C A B C; each cell is',
    `the median of ${String(doc.config.runs)} run(s) (min–max) ×ratio to ${doc.labels[doc.baseline] ?? doc.baseline}.`,
    `Total time ${doc.duration_s.toFixed(0)} s.`,
  ];
  for (const summary of doc.summary) {
    out.push('', `## ${summary.scenario}`, '', describeScenario(doc, summary.scenario), '');
    out.push(...table(doc, summary));
  }
  const skipped = Object.entries(doc.skipped);
  if (skipped.length > 0) {
    out.push('', '## Targets not run', '');
    for (const [id, reason] of skipped)
      out.push(`- ${doc.labels[id as TargetId] ?? id}: ${reason}`);
  }
  if (doc.failures.length > 0) {
    out.push('', '## Failed trials', '');
    for (const f of doc.failures) {
      out.push(
        `- ${f.target}, ${f.scenario}, run ${String(f.run)}: ${f.error.split('\n')[0] ?? ''}`,
      );
    }
  }
  return out.join('\n') + '\n';
}
