import type { PreparedFrame } from './prepared-frame.js';
import type { Transport } from './transport.js';

/**
 * A connection's transport with a pause: while an ext `history` is read (from Redis, in a
 * cluster), live broadcasts are held here and go out after the backlog, so the client sees its
 * stream in offset order.
 */
export class HoldingTransport implements Transport {
  readonly #inner: Transport;
  #held: PreparedFrame[] | undefined;
  #holds = 0;
  /** Highest offset written through while holding, per subscription, stream and epoch. */
  #through = new Map<string, number>();

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  get kind(): Transport['kind'] {
    return this.#inner.kind;
  }

  get wantsPings(): boolean {
    return this.#inner.wantsPings;
  }

  /** The transport this one wraps (long polling reads its queue from it). */
  get inner(): Transport {
    return this.#inner;
  }

  write(frame: PreparedFrame): void {
    if (this.#held) this.#held.push(frame);
    else this.#inner.write(frame);
  }

  /** Writes ahead of what is held (the backlog, and the frame that closes it). */
  writeThrough(frame: PreparedFrame): void {
    const position = frame.position;
    if (position && position.offset > (this.#through.get(position.key) ?? -1)) {
      this.#through.set(position.key, position.offset);
    }
    this.#inner.write(frame);
  }

  hold(): void {
    this.#holds++;
    this.#held ??= [];
  }

  release(): void {
    if (this.#holds === 0) return;
    this.#holds--;
    if (this.#holds > 0) return;
    const held = this.#held ?? [];
    const through = this.#through;
    this.#held = undefined;
    this.#through = new Map();
    for (const frame of held) {
      // A broadcast that raced the history read may already be in the backlog: once is enough.
      const position = frame.position;
      if (position && position.offset <= (through.get(position.key) ?? -1)) continue;
      this.#inner.write(frame);
    }
  }

  beat(ping: PreparedFrame): void {
    this.#inner.beat(ping);
  }

  close(code: number, reason: string): void {
    // What was held goes out before the close (a final disconnect frame is among it).
    this.#holds = 1;
    this.release();
    this.#inner.close(code, reason);
  }

  onClose(listener: () => void): void {
    this.#inner.onClose(listener);
  }
}
