import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startWorker } from '../server-files.js';
import type { CheckpointerReply } from './sqlite-checkpointer.worker.js';

/** How often the checkpointer copies the WAL back (the WAL stays small; each pass is short). */
export const CHECKPOINT_INTERVAL_MS = 200;

/**
 * Runs sqlite-checkpointer.worker.ts for one database file, and starts it again if it dies (the
 * connections that write have their automatic checkpoints off, so without it the WAL would only
 * grow). `close()` stops it for good.
 */
export class SqliteCheckpointer {
  readonly #url: string;
  readonly #log: Logger;
  #worker: Worker | undefined;
  #closed = false;

  constructor(url: string, log: Logger) {
    this.#url = url;
    this.#log = log;
    this.#start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #start(): void {
    const worker = startWorker('sqlite-checkpointer', {
      databaseUrl: this.#url,
      intervalMs: CHECKPOINT_INTERVAL_MS,
    });
    // It must not keep a process alive that has nothing else to do.
    worker.unref();
    worker.on('message', (reply: CheckpointerReply) => {
      if ('error' in reply) this.#log.warn({ err: reply.error }, 'WAL checkpoint failed');
    });
    worker.on('error', (err) => this.#log.error({ err }, 'checkpointer thread failed'));
    worker.on('exit', () => {
      if (this.#closed || this.#worker !== worker) return;
      this.#log.warn('checkpointer thread exited; starting it again in 1 s');
      this.#worker = undefined;
      setTimeout(() => {
        if (!this.#closed) this.#start();
      }, 1000).unref();
    });
    this.#worker = worker;
  }
}
