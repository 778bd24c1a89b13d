/** One line to draw: its name, unit and points (x in seconds). */
export interface Series {
  name: string;
  unit: string;
  points: { x: number; y: number }[];
}

const W = 760;
const PANEL_H = 150;
const LEFT = 60;
const RIGHT = 20;

/**
 * A plain SVG: one panel per series, stacked, each a polyline on its own y scale from 0 to its
 * maximum, with the maximum and the last value written beside it. No chart library: a soak
 * result needs to show a trend, not to be pretty.
 */
export function plotSvg(title: string, series: readonly Series[]): string {
  const height = 40 + series.length * (PANEL_H + 30);
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.x)));
  const plotW = W - LEFT - RIGHT;
  const panels = series.map((s, i) => {
    const top = 40 + i * (PANEL_H + 30);
    const yMax = Math.max(1e-9, ...s.points.map((p) => p.y));
    const pts = s.points
      .map(
        (p) =>
          `${(LEFT + (p.x / xMax) * plotW).toFixed(1)},${(top + PANEL_H - (p.y / yMax) * PANEL_H).toFixed(1)}`,
      )
      .join(' ');
    const last = s.points.at(-1)?.y ?? 0;
    return [
      `<rect x="${String(LEFT)}" y="${String(top)}" width="${String(plotW)}" height="${String(PANEL_H)}" fill="none" stroke="#ccc"/>`,
      `<text x="${String(LEFT)}" y="${String(top - 6)}" font-size="13">${escape(s.name)} (${escape(s.unit)}): max ${yMax.toFixed(1)}, last ${last.toFixed(1)}</text>`,
      `<text x="${String(LEFT - 6)}" y="${String(top + 10)}" font-size="11" text-anchor="end">${yMax.toFixed(0)}</text>`,
      `<text x="${String(LEFT - 6)}" y="${String(top + PANEL_H)}" font-size="11" text-anchor="end">0</text>`,
      `<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="${pts}"/>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(W)}" height="${String(height)}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${String(LEFT)}" y="22" font-size="15">${escape(title)}</text>`,
    ...panels,
    `<text x="${String(W - RIGHT)}" y="${String(height - 8)}" font-size="11" text-anchor="end">time (s), 0 to ${xMax.toFixed(0)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
