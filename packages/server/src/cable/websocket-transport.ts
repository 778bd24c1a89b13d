import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { PreparedFrame } from './prepared-frame.js';
import type { Transport } from './transport.js';

/** How long a socket may stay above its buffer bound before it counts as a slow consumer, ms. */
export const SLOW_CONSUMER_GRACE_MS = 5000;
/** Past this multiple of the bound, a socket is a slow consumer at once. */
export const HARD_LIMIT_FACTOR = 8;

/**
 * A WebSocket ping control frame (RFC 6455 §5.5.2: FIN + opcode 0x9, unmasked, no payload).
 * Browsers answer it with a pong by themselves; ActionCable's JSON ping frames get no answer.
 */
const WS_PING = Buffer.from([0x89, 0x00]);

/**
 * WS_PING followed by the protocol's ping frame, in one Buffer: a beat is one write, not a corked
 * pair. The ping loop builds one frame per tick for a whole slice of connections, so this is
 * built once per tick too.
 */
let beatFrame: PreparedFrame | undefined;
let beatBytes = WS_PING;
function beatBytesFor(ping: PreparedFrame): Buffer {
  if (ping !== beatFrame) {
    beatFrame = ping;
    beatBytes = Buffer.concat([WS_PING, ping.wsBytes()]);
  }
  return beatBytes;
}

/** Beats in a row without a byte from the peer after which it counts as gone. */
export const SILENT_BEATS_LIMIT = 2;

/** Transports with frames waiting, flushed together once per event-loop turn. */
const dirty: WebSocketTransport[] = [];
let flushScheduled = false;

function flushAll(): void {
  flushScheduled = false;
  const batch = dirty.splice(0);
  for (const t of batch) t.flush();
}

export interface WebSocketTransportOptions {
  /**
   * Unsent bytes a socket may hold for more than SLOW_CONSUMER_GRACE_MS before the client counts
   * as a slow consumer and is disconnected. A burst (a history replay, a busy room) may pass it
   * briefly; HARD_LIMIT_FACTOR times it, the client is cut off at once: the memory one stuck
   * client can hold stays bounded either way.
   */
  maxBufferedBytes: number;
  /** Called once when the bound is passed. */
  onOverflow: () => void;
}

/**
 * A WebSocket connection. Frames are written straight to the TCP socket as pre-built bytes
 * (PreparedFrame), and everything pending for one socket goes out in one corked write per turn:
 * per-subscriber work in a broadcast is one array push.
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  readonly wantsPings = true;
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #opts: WebSocketTransportOptions;
  readonly #pending: Buffer[] = [];
  /** Bytes past which a client is a slow consumer at once. */
  readonly #hardLimit: number;
  #pendingBytes = 0;
  #scheduled = false;
  #closing = false;
  #overflowed = false;
  /** When the socket's unsent bytes went above the bound (undefined while below). */
  #overSince: number | undefined;
  /**
   * The socket's received-byte count at the last beat, -1 before the first, and how many beats
   * in a row passed without a byte. Any byte from the peer (a pong, a command) proves it alive;
   * numbers instead of a pong listener keep the cost per connection to two fields.
   */
  #bytesReadAtBeat = -1;
  #silentBeats = 0;

  constructor(ws: WebSocket, socket: Duplex, opts: WebSocketTransportOptions) {
    this.#ws = ws;
    this.#socket = socket;
    this.#opts = opts;
    this.#hardLimit = opts.maxBufferedBytes * HARD_LIMIT_FACTOR;
  }

  write(frame: PreparedFrame): void {
    if (this.#closing) return;
    this.#queue(frame.wsBytes());
  }

  #queue(bytes: Buffer): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    // Per delivery only what is queued here is checked; the socket's own backlog is checked
    // once per flush (reading it is not free, and a broadcast does this for every member).
    if (this.#pendingBytes > this.#hardLimit) {
      this.#overflow();
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      dirty.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushAll);
      }
    }
  }

  /**
   * Every 3 s (the cable server's ping loop), with a WebSocket ping that browsers answer by
   * themselves. A peer that sent nothing for SILENT_BEATS_LIMIT beats in a row, not even a pong,
   * is gone (a dropped network leaves the TCP socket open for minutes): the socket is ended,
   * which ends the connection and its presence. A dead peer is noticed 6 to 9 s after its last
   * byte; one beat of grace covers a peer (or this process) stalled for a few seconds.
   */
  beat(ping: PreparedFrame): void {
    if (this.#closing) return;
    const read = (this.#socket as { bytesRead?: number }).bytesRead;
    if (read !== undefined) {
      this.#silentBeats = read === this.#bytesReadAtBeat ? this.#silentBeats + 1 : 0;
      if (this.#silentBeats >= SILENT_BEATS_LIMIT) {
        this.#closing = true;
        this.#ws.terminate();
        return;
      }
      this.#bytesReadAtBeat = read;
      this.#queue(beatBytesFor(ping));
      return;
    }
    this.write(ping);
  }

  flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    const n = pending.length;
    if (n === 0) return;
    if (!this.#socket.destroyed) {
      if (n === 1) {
        this.#socket.write(pending[0]);
      } else {
        // One writev for the whole batch.
        this.#socket.cork();
        for (let i = 0; i < n; i++) this.#socket.write(pending[i]);
        this.#socket.uncork();
      }
    }
    // The array is reused: no allocation per socket per turn.
    pending.length = 0;
    this.#pendingBytes = 0;
    this.#checkBacklog();
  }

  /** A client still behind by more than the bound after the grace period is a slow consumer. */
  #checkBacklog(): void {
    const backlog = this.#socket.writableLength;
    if (backlog <= this.#opts.maxBufferedBytes) {
      this.#overSince = undefined;
      return;
    }
    if (backlog > this.#hardLimit) {
      this.#overflow();
      return;
    }
    const now = performance.now();
    this.#overSince ??= now;
    if (now - this.#overSince > SLOW_CONSUMER_GRACE_MS) this.#overflow();
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.flush();
    this.#closing = true;
    this.#ws.close(code, reason);
    // A client that never answers the close handshake is cut off.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  onClose(listener: () => void): void {
    this.#ws.once('close', listener);
  }

  #overflow(): void {
    if (this.#overflowed) return;
    this.#overflowed = true;
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    this.#opts.onOverflow();
  }
}
