/**
 * `npm run docs:authz [-- --project postgres] [-- vitest options]`: runs the authorization matrix once (SQLite by
 * default) and writes docs/authorization.md from vitest's JSON report, cell by cell. A cell shows
 * ✓ only when its own test passed in this run; a failed one shows what its caller got; one
 * missing from the report (skipped, or the file died before it) shows as not run. Exits non-zero
 * when any cell is not ✓, after writing the doc all the same.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { z } from 'zod';
import { CALLERS, MATRIX, cellName } from './matrix.js';
import { DOC_PATH, renderDoc, type CellResult } from './matrix-doc.js';

const TEST_FILE = 'packages/server/test/authorization/authorization.test.ts';
const root = fileURLToPath(new URL('../../../../', import.meta.url));

const Report = z.object({
  testResults: z.array(
    z.object({
      assertionResults: z.array(
        z.object({
          title: z.string(),
          status: z.string(),
          meta: z.object({ observed: z.string().optional() }).loose().optional(),
        }),
      ),
    }),
  ),
});

const args = process.argv.slice(2);
const projectArg = args.indexOf('--project');
const project = projectArg >= 0 ? (args[projectArg + 1] ?? 'packages') : 'packages';
// Anything else goes to vitest as it is (e.g. `-t rename`: the cells left out show as not run).
const passThrough =
  projectArg >= 0 ? args.filter((_, i) => i !== projectArg && i !== projectArg + 1) : args;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-authz-doc-'));
const reportFile = path.join(outDir, 'report.json');

const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--project',
    project,
    TEST_FILE,
    '--reporter=dot',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...passThrough,
  ],
  { cwd: root, stdio: 'inherit' },
);

const byTitle = new Map<string, { status: string; observed: string | undefined }>();
let why = 'the test file did not report';
if (fs.existsSync(reportFile)) {
  const report = Report.parse(JSON.parse(fs.readFileSync(reportFile, 'utf8')));
  for (const file of report.testResults)
    for (const t of file.assertionResults)
      byTitle.set(t.title, { status: t.status, observed: t.meta?.observed });
  why = 'skipped';
} else {
  console.error(`vitest wrote no report (exit ${String(run.status)}): every cell is "not run"`);
}
fs.rmSync(outDir, { recursive: true, force: true });

const results = new Map<string, CellResult>();
for (const row of MATRIX)
  for (const caller of CALLERS) {
    const name = cellName(row, caller);
    const t = byTitle.get(name);
    results.set(
      name,
      t === undefined || (t.status !== 'passed' && t.status !== 'failed')
        ? { status: 'not run', why: t === undefined ? why : t.status }
        : t.status === 'passed'
          ? { status: 'passed' }
          : { status: 'failed', observed: t.observed },
    );
  }

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root })
  .toString()
  .trim();
const doc = renderDoc(
  {
    when: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    database: project === 'postgres' ? 'PostgreSQL' : 'SQLite',
    commit,
  },
  (row, caller) => results.get(cellName(row, caller)) ?? { status: 'not run', why },
);
// Written as the repository's Prettier would write it, so that `npm run lint` passes on it.
const options = (await prettier.resolveConfig(fileURLToPath(DOC_PATH))) ?? {};
fs.writeFileSync(DOC_PATH, await prettier.format(doc, { ...options, parser: 'markdown' }));
const bad = [...results.values()].filter((r) => r.status !== 'passed').length;
console.log(
  `wrote ${fileURLToPath(DOC_PATH)}: ${String(results.size - bad)} ✓, ${String(bad)} not ✓`,
);
process.exitCode = bad === 0 ? 0 : 1;
