import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../thread-priority.js';
import { openSqlite } from '../db/sqlite-file.js';
import { toWire, type WriterReply, type WriterRequest } from './message-writer-wire.js';
import { SqliteMessageStore } from './sqlite-message-store.js';

/**
 * The message writer thread (SQLite only). better-sqlite3 commits, fsyncs and checkpoints on the
 * thread that calls it; doing that here keeps those stalls off the event loop that serves
 * connections. It makes the same decisions as the main-thread store (message-batch.ts), on its own
 * connection with prepared statements.
 */
const { databaseUrl, autoCheckpoint } = workerData as {
  databaseUrl: string;
  /** False when a checkpointer thread copies the WAL back (db/sqlite-checkpointer.ts). */
  autoCheckpoint: boolean;
};
// The writer's work can wait a few milliseconds; the event loop's cannot. When both want the
// same core, the scheduler then runs the main thread first, instead of slicing the core between
// them while a batch of a thousand inserts runs (which shows as event-loop delay).
lowerThisThreadsPriority(10);
let store: SqliteMessageStore;
try {
  store = new SqliteMessageStore(openSqlite(databaseUrl, { autoCheckpoint }));
} catch (err) {
  // Thrown from here, a better-sqlite3 SqliteError reaches the main thread as a plain object
  // with its code and without its message: what failed is said in a plain Error.
  const why = err instanceof Error ? err.message : String(err);
  throw new Error(`message writer cannot open the database: ${why}`, { cause: err });
}
const port = parentPort;
if (!port) throw new Error('message-writer.worker must run in a worker thread');

// One batch at a time, in arrival order: seq order is commit order.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: WriterRequest) => {
  chain = chain.then(async () => {
    let reply: WriterReply;
    try {
      reply = { id: msg.id, results: toWire(await store.writeBatch(msg.requests)) };
    } catch (err) {
      reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ ready: true } satisfies WriterReply);
