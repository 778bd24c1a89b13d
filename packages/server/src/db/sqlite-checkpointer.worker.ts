import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../thread-priority.js';
import { openSqlite } from './sqlite-file.js';

/**
 * The checkpointer thread (SQLite with the message writer thread). It copies the WAL back into
 * the database file, on a connection of its own, every `intervalMs`. Left to SQLite, the commit
 * that takes the WAL past 1,000 pages does that copy itself, fsyncs and all: the messages of that
 * commit, and every message queued behind it, wait for it (tens of milliseconds when the pages
 * are spread over many rooms). A PASSIVE checkpoint here runs beside the writer and never blocks
 * it; the writer starts the WAL over once everything in it has been copied.
 */
export interface CheckpointerData {
  databaseUrl: string;
  intervalMs: number;
}
export type CheckpointerReply = { ready: true } | { error: string };

const { databaseUrl, intervalMs } = workerData as CheckpointerData;
const port = parentPort;
if (!port) throw new Error('sqlite-checkpointer.worker must run in a worker thread');
lowerThisThreadsPriority(10);
const db = openSqlite(databaseUrl);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let reported = false;
setInterval(() => {
  try {
    checkpoint.run();
    reported = false;
  } catch (err) {
    // A busy database is tried again next time; anything else is said once, not every tick.
    if (!reported) port.postMessage({ error: String(err) } satisfies CheckpointerReply);
    reported = true;
  }
}, intervalMs);
port.postMessage({ ready: true } satisfies CheckpointerReply);
