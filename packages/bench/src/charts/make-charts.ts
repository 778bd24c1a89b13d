import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsDocument } from '../results-document.js';
import { median, type Figure } from '../summary.js';
import type { TargetId } from '../target.js';
import { barChartSvg, type Bar, type BarGroup } from './svg-bars.js';

/**
 * Draws the README's performance charts from the newest committed results (not the `-quick`
 * smoke runs): fan-out CPU per delivery and latency, memory per idle connection, and the
 * small-rooms scenario. `npm run bench:charts`; `npm run bench` runs it at the end.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, '..', '..', 'results');
const chartsDir = path.join(resultsDir, 'charts');

/** The newest `<prefix>-YYYY-MM-DD.json` in results/, or undefined. */
function newest(prefix: string): string | undefined {
  const pattern = new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}\\.json$`);
  const files = fs.readdirSync(resultsDir).filter((f) => pattern.test(f));
  files.sort();
  const last = files.at(-1);
  return last === undefined ? undefined : path.join(resultsDir, last);
}

function write(name: string, svg: string): void {
  fs.mkdirSync(chartsDir, { recursive: true });
  fs.writeFileSync(path.join(chartsDir, name), svg);
  process.stdout.write(
    `[charts] wrote ${path.relative(process.cwd(), path.join(chartsDir, name))}\n`,
  );
}

function bar(series: string, figure: Figure | undefined, scale = 1): Bar[] {
  if (!figure) return [];
  return [
    { series, value: figure.median * scale, min: figure.min * scale, max: figure.max * scale },
  ];
}

function fanoutCharts(file: string): void {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsDocument;
  const label = (t: TargetId): string => doc.labels[t] ?? t;
  const source = `${path.basename(file)}: ${doc.date}, commit ${doc.machine.commit}, ${String(doc.machine.nproc)} cores (${doc.machine.cpu_model}), Node ${doc.machine.node}; median of ${String(doc.config.runs)} runs, whisker = min–max.`;
  const fanouts = doc.summary.filter((s) => s.kind === 'fanout');
  const targets = Object.keys(fanouts[0]?.figures ?? {}) as TargetId[];

  write(
    'fanout-cpu.svg',
    barChartSvg({
      title: 'Broadcast fan-out: server CPU per delivery (lower is better)',
      unit: 'µs',
      groups: fanouts.map((s): BarGroup => ({
        label: s.scenario,
        bars: targets.flatMap((t) => bar(label(t), s.figures[t]?.server_cpu_us_per_delivery)),
      })),
      note: source,
    }),
  );
  const fixed = fanouts[0];
  if (fixed) {
    write(
      'fanout-latency.svg',
      barChartSvg({
        title: `Broadcast fan-out latency, ${fixed.scenario} (lower is better)`,
        unit: 'ms',
        groups: targets.map((t): BarGroup => ({
          label: label(t),
          bars: [
            ...bar('p50', fixed.figures[t]?.latency_intended_p50_us, 1 / 1000),
            ...bar('p99', fixed.figures[t]?.latency_intended_p99_us, 1 / 1000),
          ],
        })),
        note: source,
      }),
    );
  }
  const idle = doc.summary.find((s) => s.kind === 'idle');
  if (idle) {
    write(
      'idle-memory.svg',
      barChartSvg({
        title: `Memory per idle connection, ${idle.scenario} (lower is better)`,
        unit: 'KiB',
        groups: [
          {
            label: 'server RSS per connection',
            bars: (Object.keys(idle.figures) as TargetId[]).flatMap((t) =>
              bar(label(t), idle.figures[t]?.rss_per_connection_bytes, 1 / 1024),
            ),
          },
        ],
        note: source,
      }),
    );
  }
}

interface SmallRoomsTrial {
  target: string;
  report: { p50_ms: number; p99_ms: number; p999_ms: number };
  server_cpu_us_per_delivery: number;
}

function smallRoomsCharts(file: string): void {
  const trials = JSON.parse(fs.readFileSync(file, 'utf8')) as SmallRoomsTrial[];
  const targets = [...new Set(trials.map((t) => t.target))];
  const figure = (xs: number[]): Figure => ({
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    ratio: undefined,
  });
  const of = (target: string): SmallRoomsTrial[] => trials.filter((t) => t.target === target);
  const note = `${path.basename(file)}: median of ${String(of(targets[0] ?? '').length)} runs, whisker = min–max.`;
  write(
    'small-rooms-latency.svg',
    barChartSvg({
      title: 'Small rooms (1,000 rooms of 5, 1 msg/s each): latency (lower is better)',
      unit: 'ms',
      groups: targets.map((t) => ({
        label: t,
        bars: [
          ...bar('p50', figure(of(t).map((x) => x.report.p50_ms))),
          ...bar('p99', figure(of(t).map((x) => x.report.p99_ms))),
          ...bar('p99.9', figure(of(t).map((x) => x.report.p999_ms))),
        ],
      })),
      note,
    }),
  );
  write(
    'small-rooms-cpu.svg',
    barChartSvg({
      title: 'Small rooms: server CPU per delivery (lower is better)',
      unit: 'µs',
      groups: [
        {
          label: 'CPU per delivery',
          bars: targets.flatMap((t) =>
            bar(t, figure(of(t).map((x) => x.server_cpu_us_per_delivery))),
          ),
        },
      ],
      note,
    }),
  );
}

const fanout = newest('fanout');
if (fanout) fanoutCharts(fanout);
else process.stdout.write('[charts] no fan-out results yet\n');
const rooms = newest('small-rooms');
if (rooms) smallRoomsCharts(rooms);
else process.stdout.write('[charts] no small-rooms results yet\n');
