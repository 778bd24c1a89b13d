import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './scenario.js';

/** packages/bench/results, where every benchmark commits its results. */
export const resultsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../results',
);

/** A scenario's section: a table of counts, then what clients saw, checks and notes. */
export function section(r: ScenarioResult): string {
  const t = r.tally;
  const rows: [string, string][] = [
    ['sent (distinct client_ids)', String(t.sent)],
    ['acknowledged', String(t.acknowledged)],
    ['stored', String(t.stored)],
    ['lost (acknowledged, not stored)', String(t.lost)],
    ['duplicated (stored more than once)', String(t.duplicated)],
    ['stored, never acknowledged', String(t.storedUnacknowledged)],
    ['unresolved at the end (neither)', String(t.unresolved)],
    ['resends (same client_id again)', String(t.resends)],
    ['slowest refusal (ms)', t.slowestRefusalMs === undefined ? '–' : String(t.slowestRefusalMs)],
  ];
  const seen = [...r.seen].map(([what, n]) => `- ${what}: ${String(n)}`);
  return [
    `## ${r.name}`,
    '',
    r.setup,
    '',
    '| count | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    'What clients saw besides acknowledgements:',
    '',
    ...(seen.length > 0 ? seen : ['- nothing']),
    '',
    'Checks:',
    '',
    ...r.checks.map((c) => `- ${c.ok ? 'ok' : 'FAILED'}: ${c.what}`),
    ...(r.notes.length > 0 ? ['', 'Notes:', '', ...r.notes.map((n) => `- ${n}`)] : []),
    '',
    `Ran for ${r.seconds.toFixed(0)} s.`,
    '',
  ].join('\n');
}

/**
 * Writes the scenario into results/faults-<date>.md: a new file gets a header; a section of the
 * same name from an earlier run that day is replaced, so running one scenario keeps the others.
 */
export function writeResult(r: ScenarioResult): string {
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(resultsDir, `faults-${date}.md`);
  const header = `# Fault scripts (\`npm run faults\`)

Date: ${date}. Machine: ${String(os.cpus().length)} cores, ${String(Math.round(os.totalmem() / 2 ** 30))} GiB, shared with other work. Each
section is one scenario's last run that day; "lost" and "duplicated" must be 0.
`;
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : header;
  const parts = existing.split(/^(?=## )/m);
  const head = parts[0] ?? header;
  const sections = parts.slice(1).filter((s) => !s.startsWith(`## ${r.name}\n`));
  sections.push(section(r));
  fs.writeFileSync(
    file,
    [head.trimEnd() + '\n\n', ...sections.map((s) => s.trimEnd() + '\n\n')].join('').trimEnd() +
      '\n',
  );
  return file;
}
