import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTwilioFake } from '../../../../server/test/helpers/twilio-fake.js';
import { onCleanup } from '../cleanup.js';
import { Load } from '../load.js';
import { sleep } from '../salon-process.js';
import { startSqliteNode } from '../sqlite-node.js';
import { seenOf, standardChecks, type Scenario } from '../scenario.js';
import { readSqlite } from '../sqlite-count.js';
import { tally } from '../tally.js';

/** Traffic between two kills, ms. */
const UP_MS = 2500;

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes; resolves whether it held. */
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * kill -9 of a single SQLite node under steady load, N times (default 20): each time the node is
 * started again on the same port and data dir, and the clients reconnect and send again what was
 * not acknowledged, with the same client_ids.
 */
export const killNode: Scenario = {
  name: 'kill-node',
  boundSeconds: 1200,
  needs: 'nothing special',
  async run(args) {
    const t0 = Date.now();
    const cycles = Number(args[0] ?? 20);
    if (!Number.isInteger(cycles) || cycles < 1)
      throw new Error('cycles must be a positive integer');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-faults-kill-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sms = await startTwilioFake();
    onCleanup(() => sms.close());
    const { node, dbFile } = await startSqliteNode(dir, sms);
    const load = await Load.prepare(node.url, sms, {
      urls: () => node.url,
      httpSenders: 2,
      cableSenders: 2,
      perSecond: 20,
    });
    const { ledger } = load;
    load.start();
    const restartMs: number[] = [];
    let stalledCycles = 0;
    for (let i = 0; i < cycles; i++) {
      // Traffic flows before the next kill: the restarted node's writer thread is up and a
      // message made it through (on a busy machine that takes a while after /healthz answers).
      const before = ledger.acked.size;
      if (!(await until(() => ledger.acked.size > before, 30_000))) stalledCycles++;
      await sleep(UP_MS);
      await node.kill9();
      const down = Date.now();
      await node.start();
      restartMs.push(Date.now() - down);
    }
    await sleep(UP_MS);
    await load.stop(15_000);
    await node.stop();
    const { integrity, rows } = readSqlite(dbFile, load.roomId);
    const t = tally(ledger, rows, load.names);
    const sorted = [...restartMs].sort((a, b) => a - b);
    return {
      name: 'kill-node',
      setup: `One SQLite node (\`salon start\` as a child process); 2 HTTP and 2 WebSocket senders at 20 messages/s each; ${String(cycles)} cycles of: wait until a message is acknowledged, ${String(UP_MS / 1000)} s of traffic, kill -9, start again on the same port and data dir; then ${String(UP_MS / 1000)} s more, senders stop (unacknowledged sends retried for up to 15 s) and the node stops gracefully.`,
      tally: t,
      seen: seenOf(ledger),
      checks: [
        ...standardChecks(t),
        { what: 'messages were acknowledged after every restart', ok: stalledCycles === 0 },
        { what: `PRAGMA integrity_check is ok (got "${integrity}")`, ok: integrity === 'ok' },
      ],
      notes: [
        `kills: ${String(cycles)}; WebSocket connections opened (first ones and reconnections): ${String(load.cableConnects)}`,
        `time from kill -9 to the restarted node answering /healthz: median ${String(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, longest ${String(sorted.at(-1) ?? 0)} ms (a cold \`tsx\` start on a shared machine; clients are down that long)`,
      ],
      seconds: (Date.now() - t0) / 1000,
    };
  },
};
