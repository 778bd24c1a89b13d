import { execFileSync } from 'node:child_process';
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

const PHASE_MS = 4000;

/** Writes zeros into `file` until the file system says it is full; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 512]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += fs.writeSync(fd, chunk);
        } catch (err) {
          if ((err as { code?: string }).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

/**
 * The data directory on a 16 MiB tmpfs; under steady sends a filler file takes all the space,
 * then is removed. Sends must be refused fast with a retryable code while the disk is full,
 * succeed again once it is freed (no restart), and the database must pass integrity_check.
 */
export const diskFull: Scenario = {
  name: 'disk-full',
  boundSeconds: 120,
  needs: 'root (mount -t tmpfs)',
  async run() {
    const t0 = Date.now();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-faults-disk-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dir]);
    onCleanup(() => execFileSync('umount', ['-l', dir]));
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
    await sleep(PHASE_MS);

    const filler = path.join(dir, 'filler');
    const fullAt = ledger.now();
    const filled = fillDisk(filler);
    const ackedBeforeFull = ledger.acked.size;
    await sleep(PHASE_MS);
    const refusedWhileFull = ledger.refusalMs.length;
    const ackedWhileFull = ledger.ackedSince(fullAt);

    fs.rmSync(filler);
    const freedAt = ledger.now();
    await sleep(PHASE_MS);
    const ackedAfterFree = ledger.ackedSince(freedAt);

    await load.stop(15_000);
    await node.stop();
    const { integrity, rows } = readSqlite(dbFile, load.roomId);
    const t = tally(ledger, rows, load.names);
    const slowest = t.slowestRefusalMs ?? 0;
    return {
      name: 'disk-full',
      setup: `SQLite data directory on a 16 MiB tmpfs; 2 HTTP and 2 WebSocket senders at 20 messages/s each; after ${String(PHASE_MS / 1000)} s a filler file takes all free space (${(filled / 2 ** 20).toFixed(1)} MiB) for ${String(PHASE_MS / 1000)} s, then is removed; ${String(PHASE_MS / 1000)} s more, then senders stop (unacknowledged sends retried for up to 15 s) and the node stops.`,
      tally: t,
      seen: seenOf(ledger),
      checks: [
        ...standardChecks(t),
        { what: 'sends were refused while the disk was full', ok: refusedWhileFull > 0 },
        { what: 'every refusal answered within 1 s', ok: slowest < 1000 },
        {
          what: 'sends succeed again after the filler is removed (no restart)',
          ok: ackedAfterFree > 0,
        },
        { what: `PRAGMA integrity_check is ok (got "${integrity}")`, ok: integrity === 'ok' },
      ],
      notes: [
        `acknowledged before the disk filled: ${String(ackedBeforeFull)}; while full: ${String(ackedWhileFull)}; after it was freed: ${String(ackedAfterFree)}`,
        `refusals while full: ${String(refusedWhileFull)}, the slowest answered in ${String(slowest)} ms`,
        `the node was started ${String(node.starts)} time(s)`,
      ],
      seconds: (Date.now() - t0) / 1000,
    };
  },
};
