import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startWorker } from '../server-files.js';
import { fromWire, type WriterReply, type WriterRequest } from './message-writer-wire.js';
import type { MessageRequest, MessageStore, WriteResult } from './message.store.js';

interface Pending {
  /** What was sent: the reply names new messages by what these requests do not say. */
  requests: MessageRequest[];
  resolve: (results: WriteResult[]) => void;
  reject: (err: Error) => void;
}

/**
 * A MessageStore that hands batches to the writer thread (message-writer.worker.ts). If the
 * thread dies, the batches in flight fail (the job retries them) and the next batch starts a new
 * thread.
 */
export class WorkerMessageStore implements MessageStore {
  readonly #databaseUrl: string;
  readonly #log: Logger;
  #worker: Worker | undefined;
  /** Settles when the current thread has opened the database and prepared its statements. */
  #ready: Promise<void> = Promise.resolve();
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  readonly #autoCheckpoint: boolean;

  /** `autoCheckpoint: false` when a checkpointer thread copies the WAL back instead. */
  constructor(databaseUrl: string, log: Logger, opts: { autoCheckpoint?: boolean } = {}) {
    this.#databaseUrl = databaseUrl;
    this.#log = log;
    this.#autoCheckpoint = opts.autoCheckpoint ?? true;
  }

  writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const msg: WriterRequest = { id, requests: [...requests] };
      this.#pending.set(id, { requests: msg.requests, resolve, reject });
      worker.postMessage(msg);
    });
  }

  /** Starts the writer thread now (not on the first message) and waits until it can write. */
  warm(): Promise<void> {
    this.#ensureWorker();
    return this.#ready;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker('message-writer', {
      databaseUrl: this.#databaseUrl,
      autoCheckpoint: this.#autoCheckpoint,
    });
    let ready!: { resolve: () => void; reject: (err: Error) => void };
    this.#ready = new Promise((resolve, reject) => {
      ready = { resolve, reject };
    });
    // Only warm() listens to this; a batch sent meanwhile hears of a failure on its own.
    this.#ready.catch(() => undefined);
    worker.on('message', (reply: WriterReply) => {
      if ('ready' in reply) {
        ready.resolve();
        return;
      }
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(`message writer: ${reply.error}`));
      else {
        try {
          p.resolve(fromWire(p.requests, reply.results));
        } catch (err) {
          p.reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
    const fail = (err: Error) => {
      ready.reject(err);
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', (err) => {
      this.#log.error({ err }, 'message writer thread failed');
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`message writer thread exited (${String(code)})`)));
    this.#worker = worker;
    return worker;
  }
}
