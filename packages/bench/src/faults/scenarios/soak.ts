import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTwilioFake } from '../../../../server/test/helpers/twilio-fake.js';
import { churn, storm, type VisitCounts } from '../churn.js';
import { onCleanup } from '../cleanup.js';
import { Load } from '../load.js';
import { sleep } from '../salon-process.js';
import { startSqliteNode } from '../sqlite-node.js';
import { seenOf, standardChecks, type Scenario } from '../scenario.js';
import { resultsDir } from '../results-file.js';
import { readSqlite } from '../sqlite-count.js';
import { plotSvg } from '../svg-plot.js';
import { tally } from '../tally.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STORM_EVERY_MS = 45_000;

/** One line of node-sampler.mjs's output. */
interface NodeSample {
  /** ms since the epoch */
  t: number;
  rss_mb: number;
  heap_mb: number;
  loop_p99_ms: number;
  loop_max_ms: number;
}
const STORM_SIZE = 150;
const CHURN_PARALLEL = 20;

/**
 * One SQLite node for `minutes` (default 30): steady sends, connections that come and go, and a
 * reconnect storm every 45 s, with the node's RSS, heap and event-loop delay sampled each second
 * (a module loaded into the node) and drawn into an SVG next to the results.
 */
export const soak: Scenario = {
  name: 'soak',
  // Bounded by its argument: minutes + 3 (start, settle, stop).
  boundSeconds: 33 * 60,
  needs: 'nothing special; `npm run faults -- soak <minutes>` (default 30)',
  async run(args) {
    const t0 = Date.now();
    const minutes = Number(args[0] ?? 30);
    if (!(minutes > 0 && minutes <= 30)) throw new Error('minutes must be in (0, 30]');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-faults-soak-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sms = await startTwilioFake();
    onCleanup(() => sms.close());
    const samples = path.join(dir, 'samples.jsonl');
    const { node, dbFile } = await startSqliteNode(dir, sms, {
      FAULTS_SAMPLE_FILE: samples,
      NODE_OPTIONS: `--import ${path.join(here, '../node-sampler.mjs')}`,
    });
    const load = await Load.prepare(node.url, sms, {
      urls: () => node.url,
      httpSenders: 2,
      cableSenders: 2,
      perSecond: 5,
      listeners: 10,
    });
    const wsUrl = node.url.replace(/^http/, 'ws');
    const visits: VisitCounts = { ok: 0, failed: 0 };
    const stormVisits: VisitCounts = { ok: 0, failed: 0 };
    const end = Date.now() + minutes * 60_000;
    const stopped = () => Date.now() >= end;
    load.start();
    const churning = churn(wsUrl, load.listeners, load.roomId, CHURN_PARALLEL, stopped, visits);
    let storms = 0;
    while (!stopped()) {
      await sleep(Math.min(STORM_EVERY_MS, Math.max(0, end - Date.now())));
      if (stopped()) break;
      storms++;
      await storm(wsUrl, load.listeners, load.roomId, STORM_SIZE, stormVisits);
    }
    await churning;
    await load.stop(15_000);
    await node.stop();
    const { integrity, rows } = readSqlite(dbFile, load.roomId);
    const t = tally(load.ledger, rows, load.names);

    const lines = fs.existsSync(samples) ? fs.readFileSync(samples, 'utf8').trim().split('\n') : [];
    const points = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as NodeSample);
    const start = points[0]?.t ?? 0;
    const series = (name: string, unit: string, pick: (s: NodeSample) => number) => ({
      name,
      unit,
      points: points.map((s) => ({ x: (s.t - start) / 1000, y: pick(s) })),
    });
    const date = new Date().toISOString().slice(0, 10);
    const svgName = `faults-soak-${date}.svg`;
    fs.writeFileSync(
      path.join(resultsDir, svgName),
      plotSvg(`Salon soak, ${String(minutes)} min, ${date}: one SQLite node`, [
        series('RSS', 'MiB', (s) => s.rss_mb),
        series('heap used', 'MiB', (s) => s.heap_mb),
        series('event-loop delay p99 per second', 'ms', (s) => s.loop_p99_ms),
      ]),
    );
    const quarter = points[Math.floor(points.length / 4)];
    const last = points.at(-1);
    const maxLoop = Math.max(0, ...points.map((p) => p.loop_max_ms));
    return {
      name: 'soak',
      setup: `One SQLite node for ${String(minutes)} min: 2 HTTP and 2 WebSocket senders at 5 messages/s each; ${String(CHURN_PARALLEL)} connections at a time that subscribe, stay 1-4 s and leave; every ${String(STORM_EVERY_MS / 1000)} s a storm of ${String(STORM_SIZE)} connections at once (held 3 s). The node's RSS, heap used and event-loop delay are sampled each second: [${svgName}](${svgName}).`,
      tally: t,
      seen: seenOf(load.ledger),
      checks: [
        ...standardChecks(t),
        { what: `PRAGMA integrity_check is ok (got "${integrity}")`, ok: integrity === 'ok' },
        {
          what: 'every churn and storm connection subscribed',
          ok: visits.failed + stormVisits.failed === 0,
        },
      ],
      notes: [
        `churn connections: ${String(visits.ok)} subscribed, ${String(visits.failed)} failed; storms: ${String(storms)}, ${String(stormVisits.ok)} subscribed, ${String(stormVisits.failed)} failed`,
        `RSS at a quarter of the run ${quarter?.rss_mb.toFixed(1) ?? '?'} MiB, at the end ${last?.rss_mb.toFixed(1) ?? '?'} MiB; heap used ${quarter?.heap_mb.toFixed(1) ?? '?'} → ${last?.heap_mb.toFixed(1) ?? '?'} MiB; longest event-loop stall ${maxLoop.toFixed(0)} ms (${String(points.length)} samples)`,
      ],
      seconds: (Date.now() - t0) / 1000,
    };
  },
};
