/** One bar: a value with the min–max range of the runs behind it (drawn as a whisker). */
export interface Bar {
  series: string;
  value: number;
  min?: number;
  max?: number;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChart {
  title: string;
  /** Unit of the axis, shown after each value (e.g. "µs", "ms", "KiB"). */
  unit: string;
  groups: BarGroup[];
  /** A caption under the chart: where the figures come from. */
  note: string;
}

const WIDTH = 760;
const LABEL_W = 250;
const BAR_H = 16;
const GAP = 4;
const GROUP_GAP = 14;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function formatValue(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * A horizontal grouped bar chart as a standalone SVG (no script, no external font): one group per
 * label, one bar per series, a whisker over each bar's min–max, the value at its end. Charts are
 * read on GitHub and in the README, so everything is drawn with plain shapes and system fonts.
 */
export function barChartSvg(chart: BarChart): string {
  const series = [...new Set(chart.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const colour = (name: string): string => PALETTE[series.indexOf(name) % PALETTE.length] ?? '#888';
  const top = 40;
  const legendH = 22;
  const plotW = WIDTH - LABEL_W - 90;
  const scaleMax = Math.max(
    ...chart.groups.flatMap((g) => g.bars.map((b) => b.max ?? b.value)),
    1e-9,
  );
  const x = (v: number): number => LABEL_W + (v / scaleMax) * plotW;
  const out: string[] = [];
  let y = top + legendH;
  for (const group of chart.groups) {
    const groupH = group.bars.length * (BAR_H + GAP) - GAP;
    out.push(
      `<text x="${String(LABEL_W - 8)}" y="${String(y + groupH / 2 + 4)}" text-anchor="end">${escape(group.label)}</text>`,
    );
    for (const bar of group.bars) {
      const w = Math.max(1, x(bar.value) - LABEL_W);
      out.push(
        `<rect x="${String(LABEL_W)}" y="${String(y)}" width="${w.toFixed(1)}" height="${String(BAR_H)}" fill="${colour(bar.series)}"><title>${escape(`${bar.series}: ${formatValue(bar.value)} ${chart.unit}`)}</title></rect>`,
      );
      if (bar.min !== undefined && bar.max !== undefined && bar.max > bar.min) {
        const mid = y + BAR_H / 2;
        out.push(
          `<line x1="${x(bar.min).toFixed(1)}" x2="${x(bar.max).toFixed(1)}" y1="${String(mid)}" y2="${String(mid)}" stroke="#222" stroke-width="1.5"/>`,
        );
      }
      const end = Math.max(x(bar.value), bar.max === undefined ? 0 : x(bar.max));
      out.push(
        `<text x="${(end + 6).toFixed(1)}" y="${String(y + BAR_H - 4)}">${escape(`${formatValue(bar.value)} ${chart.unit}`)}</text>`,
      );
      y += BAR_H + GAP;
    }
    y += GROUP_GAP;
  }
  // Legend entries side by side, each as wide as its text (about 6.5 px a character at 12 px).
  let lx = 10;
  const legend = series
    .map((name) => {
      const entry = `<rect x="${String(lx)}" y="${String(top)}" width="12" height="12" fill="${colour(name)}"/><text x="${String(lx + 16)}" y="${String(top + 11)}">${escape(name)}</text>`;
      lx += 16 + Math.ceil(name.length * 6.5) + 18;
      return entry;
    })
    .join('');
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(WIDTH)}" height="${String(height)}" viewBox="0 0 ${String(WIDTH)} ${String(height)}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${escape(chart.title)}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="600">${escape(chart.title)}</text>`,
    legend,
    ...out,
    `<text x="10" y="${String(height - 8)}" fill="#555" font-size="11">${escape(chart.note)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
