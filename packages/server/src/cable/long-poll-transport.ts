import type { PreparedFrame } from './prepared-frame.js';
import type { Transport } from './transport.js';

export interface LongPollOptions {
  /** Frames kept for the client between polls before the session is ended. */
  maxQueuedFrames: number;
  /** Bytes kept for the client between polls before the session is ended. */
  maxQueuedBytes: number;
  /** Called once when the outbox overflows; the connection then ends with a reconnect hint. */
  onOverflow: () => void;
}

export interface PollResult {
  /** Frames (JSON text), oldest first. */
  frames: string[];
  /** Cursor after the last frame returned: send it back to acknowledge them. */
  cursor: number;
  /** The connection has closed: these are its last frames. */
  closed: boolean;
}

interface Waiter {
  resolve: (result: PollResult) => void;
  timer: NodeJS.Timeout;
}

/**
 * Long polling: frames wait in an ordered outbox until the client acknowledges them. Each frame
 * has a number; a poll returns the frames after the client's cursor and keeps them until a later
 * poll acknowledges that cursor, so a poll response lost on the way is simply sent again.
 */
export class LongPollTransport implements Transport {
  readonly kind = 'long_polling';
  readonly wantsPings = false;
  readonly #opts: LongPollOptions;
  /** Unacknowledged frames; frame number of outbox[i] is firstSeq + i. */
  #outbox: string[] = [];
  #outboxBytes = 0;
  #firstSeq = 1;
  #waiter: Waiter | undefined;
  #closed = false;
  #overflowed = false;
  readonly #closeListeners: (() => void)[] = [];

  constructor(opts: LongPollOptions) {
    this.#opts = opts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Polls carry no pings (they would end every poll); an idle session ends by its TTL. */
  beat(ping: PreparedFrame): void {
    this.write(ping);
  }

  write(frame: PreparedFrame): void {
    if (this.#closed) return;
    if (
      this.#outbox.length >= this.#opts.maxQueuedFrames ||
      this.#outboxBytes + frame.text.length > this.#opts.maxQueuedBytes
    ) {
      if (!this.#overflowed) {
        this.#overflowed = true;
        // Drop what the client will never get in order; it recovers through history.
        this.#firstSeq += this.#outbox.length;
        this.#outbox = [];
        this.#outboxBytes = 0;
        this.#opts.onOverflow();
      }
      return;
    }
    this.#outbox.push(frame.text);
    this.#outboxBytes += frame.text.length;
    this.#wake();
  }

  /**
   * Acknowledges frames up to `ack` and returns the ones after it, waiting up to `waitMs` for
   * one to arrive. A newer poll answers the one still waiting (with nothing new), so a client
   * never has two polls held.
   */
  poll(ack: number, waitMs: number): Promise<PollResult> {
    this.#acknowledge(ack);
    this.#release();
    if (this.#outbox.length > 0 || this.#closed || waitMs <= 0)
      return Promise.resolve(this.#snapshot());
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#release(), waitMs);
      this.#waiter = { resolve, timer };
    });
  }

  close(_code: number, _reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    for (const l of this.#closeListeners.splice(0)) l();
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closeListeners.push(listener);
  }

  #acknowledge(ack: number): void {
    const drop = Math.min(Math.max(0, ack - this.#firstSeq + 1), this.#outbox.length);
    if (drop === 0) return;
    for (let i = 0; i < drop; i++) this.#outboxBytes -= this.#outbox[i]?.length ?? 0;
    this.#outbox = this.#outbox.slice(drop);
    this.#firstSeq += drop;
  }

  #snapshot(): PollResult {
    return {
      frames: [...this.#outbox],
      cursor: this.#firstSeq + this.#outbox.length - 1,
      closed: this.#closed,
    };
  }

  #wake(): void {
    // Answer at the end of this turn, so frames written together leave together.
    if (this.#waiter) setImmediate(() => this.#release());
  }

  #release(): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = undefined;
    clearTimeout(w.timer);
    w.resolve(this.#snapshot());
  }
}
