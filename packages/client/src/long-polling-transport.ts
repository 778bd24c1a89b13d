import type { Transport } from '@anycable/core';
import { createNanoEvents, type Emitter } from 'nanoevents';
import { retryAfterMs } from './retry-after.js';

/** The events of @anycable/core's Transport interface (not exported by the package). */
interface TransportEvents {
  open: () => void;
  close: (err?: Error) => void;
  error: (err: Error) => void;
  data: (payload: string) => void;
}

/** Header names of Salon's long-polling shape (docs/protocol.md, "Long polling"). */
const POLL_ID = 'x-salon-poll-id';
const POLL_CURSOR = 'x-salon-poll-cursor';

/**
 * The most one `/cable/poll/send` request carries, in bytes (a single larger command still goes,
 * alone). Half the server's default body limit (64 KiB): a few long messages queued behind a slow
 * request would otherwise make one body the server refuses with 413.
 */
const SEND_BATCH_BYTES = 32 * 1024;

/** Wait after a 429 at open when the server names none, ms. */
const DEFAULT_RETRY_AFTER_MS = 5000;

const utf8 = new TextEncoder();

export interface LongPollingOptions {
  /** Extra headers per request (the bearer token in token mode). */
  headers?: () => Record<string, string>;
  /** Fake pings fed to the connection monitor while polls are held, ms. Default 3000. */
  pingIntervalMs?: number;
}

/**
 * Salon's long-polling transport for @anycable/core: the same protocol frames as the WebSocket,
 * over `POST /cable/poll` (held up to ~25 s, JSON lines both ways) and `POST /cable/poll/send`
 * for commands. Each answer carries a cursor; the next poll acknowledges it, so a lost answer is
 * simply sent again and frames numbered at or below the cursor are dropped as repeats.
 */
export class LongPollingTransport implements Transport {
  #url: string;
  readonly #params = new Map<string, string>();
  readonly #opts: LongPollingOptions;
  readonly #emitter: Emitter<TransportEvents> = createNanoEvents();
  #pollId: string | undefined;
  #cursor = 0;
  #open = false;
  #abort: AbortController | undefined;
  #pinger: ReturnType<typeof setInterval> | undefined;
  #outbox: string[] = [];
  #sending = false;
  /** Set once the server refused a batch as too large (an operator's lower body limit). */
  #oneCommandPerSend = false;

  constructor(url: string, opts: LongPollingOptions = {}) {
    this.#url = url;
    this.#opts = opts;
  }

  get url(): string {
    const u = new URL(this.#url);
    for (const [k, v] of this.#params) u.searchParams.set(k, v);
    return u.toString();
  }

  displayName(): string {
    return 'long-polling';
  }

  setURL(url: string): void {
    this.#url = url;
  }

  setParam(key: string, value: string): void {
    if (value === '') this.#params.delete(key);
    else this.#params.set(key, value);
  }

  setToken(value: string, param = 'jid'): void {
    this.setParam(param, value);
  }

  on<E extends keyof TransportEvents>(event: E, callback: TransportEvents[E]) {
    return this.#emitter.on(event, callback);
  }

  once<E extends keyof TransportEvents>(event: E, callback: TransportEvents[E]) {
    const wrapped = (...args: unknown[]): void => {
      unbind();
      (callback as (...a: unknown[]) => void)(...args);
    };
    const unbind = this.#emitter.on(event, wrapped);
    return unbind;
  }

  async open(): Promise<void> {
    this.#pollId = undefined;
    this.#cursor = 0;
    this.#abort = new AbortController();
    const res = await this.#post(this.url, {}, '');
    const text = await res.text();
    if (res.status === 401 || res.status === 503) {
      // Refused: hand the disconnect frame to the protocol, as a WebSocket would, then close.
      this.#open = true;
      this.#emitter.emit('open');
      for (const line of lines(text)) this.#emitter.emit('data', line);
      this.#closed(undefined);
      return;
    }
    if (res.status === 429) {
      // Too many connections or attempts from this address: the monitor's backoff starts only
      // once the wait the server asked for is over, so no attempt comes before it.
      const waitMs = retryAfterMs(res.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER_MS;
      await this.#pause(waitMs);
      throw new Error(`long polling refused: 429 (waited ${String(Math.round(waitMs / 1000))} s)`);
    }
    if (!res.ok) throw new Error(`long polling refused: ${String(res.status)}`);
    const pollId = res.headers.get(POLL_ID);
    if (pollId === null) throw new Error('long polling: no poll id');
    this.#pollId = pollId;
    this.#open = true;
    this.#emitter.emit('open');
    this.#deliver(res, text);
    const pingMs = this.#opts.pingIntervalMs ?? 3000;
    this.#pinger = setInterval(() => {
      this.#emitter.emit(
        'data',
        JSON.stringify({ type: 'ping', message: Math.floor(Date.now() / 1000) }),
      );
    }, pingMs);
    void this.#loop();
  }

  send(data: string): void {
    if (!this.#open) throw new Error('long polling: not open');
    this.#outbox.push(data);
    if (!this.#sending) void this.#flush();
  }

  close(): Promise<void> {
    this.#closed(undefined);
    return Promise.resolve();
  }

  async #loop(): Promise<void> {
    while (this.#open && this.#pollId !== undefined) {
      try {
        const res = await this.#post(
          this.#pollUrl(''),
          { [POLL_ID]: this.#pollId, [POLL_CURSOR]: String(this.#cursor) },
          '',
        );
        const text = await res.text();
        if (!this.#isOpen()) return;
        if (res.status === 410 || res.status === 401) {
          for (const line of lines(text)) this.#emitter.emit('data', line);
          this.#closed(new Error('long polling session ended'));
          return;
        }
        if (!res.ok) throw new Error(`poll answered ${String(res.status)}`);
        this.#deliver(res, text);
      } catch (err) {
        if (this.#isOpen()) this.#closed(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
  }

  async #flush(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#outbox.length > 0 && this.#open && this.#pollId !== undefined) {
        const batch = this.#takeBatch();
        const res = await this.#post(
          this.#pollUrl('/send'),
          { [POLL_ID]: this.#pollId },
          batch.map((l) => `${l}\n`).join(''),
        );
        if (res.status === 204) {
          await res.body?.cancel();
          continue;
        }
        const text = await res.text();
        if (res.status === 410) {
          for (const line of lines(text)) this.#emitter.emit('data', line);
          this.#closed(new Error('long polling session ended'));
          return;
        }
        if (res.status === 413) {
          if (batch.length > 1) {
            // The server takes less than a batch: send these again, one command per request.
            this.#oneCommandPerSend = true;
            this.#outbox.unshift(...batch);
          }
          // A single command too large for the server can never be delivered; it is dropped, as
          // a WebSocket server drops a frame over its limit (a message ends failed, unconfirmed).
          continue;
        }
        // A proxy's 502, a server going away: the commands did not arrive. As when a WebSocket
        // write fails, the connection ends here; the reconnect subscribes again and the SDK sends
        // its unconfirmed messages again (same client_id, stored once).
        throw new Error(`long polling send answered ${String(res.status)}`);
      }
    } catch (err) {
      if (this.#open) this.#closed(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#sending = false;
    }
  }

  /** The commands of the next send: the first waiting one, then more up to the byte cap. */
  #takeBatch(): string[] {
    const cap = this.#oneCommandPerSend ? 0 : SEND_BATCH_BYTES;
    let bytes = 0;
    let count = 0;
    for (const line of this.#outbox) {
      bytes += utf8.encode(line).length + 1;
      if (count > 0 && bytes > cap) break;
      count++;
    }
    return this.#outbox.splice(0, count);
  }

  /** Resolves after `ms`, or at once when the transport is closed meanwhile. */
  #pause(ms: number): Promise<void> {
    const signal = this.#abort?.signal;
    if (signal === undefined || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }

  /** Emits the frames of a poll answer that are newer than the cursor. */
  #deliver(res: Response, text: string): void {
    const frames = lines(text);
    const cursor = Number(res.headers.get(POLL_CURSOR) ?? '0');
    const first = cursor - frames.length + 1;
    frames.forEach((frame, i) => {
      if (first + i > this.#cursor) this.#emitter.emit('data', frame);
    });
    if (cursor > this.#cursor) this.#cursor = cursor;
  }

  #pollUrl(suffix: string): string {
    const u = new URL(this.#url);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}${suffix}`;
    return u.toString();
  }

  #post(url: string, headers: Record<string, string>, body: string): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...this.#opts.headers?.(), ...headers },
      body,
      credentials: 'include',
      signal: this.#abort?.signal ?? null,
    });
  }

  /** Read through a method: `close()` may flip it while a request is awaited. */
  #isOpen(): boolean {
    return this.#open;
  }

  #closed(err: Error | undefined): void {
    if (!this.#open && this.#pollId === undefined && this.#abort === undefined) return;
    this.#open = false;
    this.#pollId = undefined;
    this.#abort?.abort();
    this.#abort = undefined;
    if (this.#pinger !== undefined) clearInterval(this.#pinger);
    this.#pinger = undefined;
    this.#outbox = [];
    this.#emitter.emit('close', err);
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
