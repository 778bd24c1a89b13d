import { randomBytes } from 'node:crypto';
import type {
  Broker,
  ControlCommand,
  HistoryEntry,
  HistoryQuery,
  HistoryResult,
  LocalNode,
} from './broker.js';

export interface MemoryBrokerOptions {
  /** Durable broadcasts kept per stream for `history`. */
  historyLimit: number;
  /** How long a durable broadcast is kept, in ms. */
  historyTtlMs: number;
  now?: () => number;
}

interface StreamLog {
  /** Offset of the last broadcast published on the stream. */
  offset: number;
  entries: (HistoryEntry & { at: number })[];
}

/** The single-node broker: delivers in process and keeps a bounded history per stream. */
export class MemoryBroker implements Broker {
  /** New on every start: history does not survive a restart, and clients can tell. */
  readonly epoch = randomBytes(6).toString('base64url');
  readonly #local: LocalNode;
  readonly #opts: MemoryBrokerOptions;
  readonly #now: () => number;
  readonly #streams = new Map<string, StreamLog>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(local: LocalNode, opts: MemoryBrokerOptions) {
    this.#local = local;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(1000, opts.historyTtlMs / 4));
    this.#sweeper.unref();
  }

  publish(stream: string, message: object, options: { durable?: boolean } = {}): void {
    if (!options.durable) {
      this.#local.deliver(stream, message, undefined);
      return;
    }
    let log = this.#streams.get(stream);
    if (!log) {
      log = { offset: 0, entries: [] };
      this.#streams.set(stream, log);
    }
    log.offset++;
    const position = { stream, epoch: this.epoch, offset: log.offset };
    log.entries.push({ message, position, at: this.#now() });
    if (log.entries.length > this.#opts.historyLimit) log.entries.shift();
    this.#local.deliver(stream, message, position);
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  control(command: ControlCommand): void {
    this.#local.control(command);
  }

  history(stream: string, query: HistoryQuery): Promise<HistoryResult> {
    return Promise.resolve(this.#historyNow(stream, query));
  }

  #historyNow(stream: string, query: HistoryQuery): HistoryResult {
    const log = this.#streams.get(stream);
    const entries = log?.entries ?? [];
    if ('epoch' in query) {
      if (query.epoch !== this.epoch) return { ok: false, reason: 'epoch_mismatch' };
      const first = entries[0]?.position.offset ?? (log ? log.offset + 1 : 1);
      // The client's next wanted offset must still be held (or be the very next one).
      if (query.offset + 1 < first) return { ok: false, reason: 'evicted' };
      return { ok: true, entries: entries.filter((e) => e.position.offset > query.offset) };
    }
    return { ok: true, entries: entries.filter((e) => e.at >= query.sinceMs) };
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    return Promise.resolve();
  }

  #sweep(): void {
    const cutoff = this.#now() - this.#opts.historyTtlMs;
    // Only entries expire: a stream's offset counter lives as long as the epoch, so an offset
    // is never handed out twice.
    for (const log of this.#streams.values()) {
      while (log.entries[0] && log.entries[0].at < cutoff) log.entries.shift();
    }
  }
}
