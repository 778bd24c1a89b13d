import { PROTOCOL_V1 } from '@salon/protocol';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';

/** A server frame as it came off the wire, parsed; fields are those any frame kind may carry. */
export interface Frame {
  type?: string;
  identifier?: string;
  message?: unknown;
  reason?: string;
  reconnect?: boolean;
  sid?: string;
  restored?: boolean;
  restored_ids?: string[];
  stream_id?: string;
  epoch?: string;
  offset?: number;
  /** The exact text of the frame. */
  raw: string;
}

export interface RawClientOptions {
  /** Offered subprotocols; default actioncable-v1-json. */
  protocols?: string | string[];
  headers?: Record<string, string>;
  /** How long the WebSocket handshake may take, ms. */
  handshakeTimeoutMs?: number;
  /** Whether WebSocket pings are answered (as browsers do); false plays a peer that vanished. */
  autoPong?: boolean;
}

export type FramePredicate = (frame: Frame) => boolean;

/**
 * A bare ActionCable client over `ws`, for tests that need to see and send exact frames.
 * Received frames queue up; `nextFrame` takes the first one matching a predicate (waiting with
 * a deadline) and leaves the others queued, so tests can wait for frames in any order.
 */
export class RawClient {
  readonly ws: WebSocket;
  /** Every frame received, in order (consumed or not). */
  readonly received: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #queue: Frame[] = [];
  #waiters = new Set<() => void>();
  #barriers = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.#wake();
      });
    });
    ws.on('message', (data, isBinary) => {
      // The JSON protocols are text-only: a binary frame shows up as a frame no test expects.
      const raw = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.concat(data as Buffer[]).toString('utf8');
      const frame: Frame = isBinary
        ? { type: 'UNEXPECTED_BINARY_FRAME', raw }
        : { ...(JSON.parse(raw) as Omit<Frame, 'raw'>), raw };
      this.received.push(frame);
      this.#queue.push(frame);
      this.#wake();
    });
  }

  /**
   * Opens a WebSocket to `url` and resolves once the handshake is done (before any frame).
   * Rejects with the handshake error (e.g. "Server sent no subprotocol"). Closes itself when the
   * test ends.
   */
  static open(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options.protocols ?? PROTOCOL_V1, {
      headers: options.headers,
      handshakeTimeout: options.handshakeTimeoutMs ?? 5000,
      autoPong: options.autoPong ?? true,
    });
    const client = new RawClient(ws);
    onTestFinished(() => client.terminate());
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`unexpected HTTP ${String(res.statusCode)} to the upgrade`)),
      );
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a command object as JSON, or a string exactly as given. */
  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  subscribe(identifier: string, extra: object = {}): void {
    this.send({ command: 'subscribe', identifier, ...extra });
  }

  unsubscribe(identifier: string): void {
    this.send({ command: 'unsubscribe', identifier });
  }

  perform(identifier: string, data: object | string): void {
    this.send({
      command: 'message',
      identifier,
      data: typeof data === 'string' ? data : JSON.stringify(data),
    });
  }

  /** Subscribes and waits for the confirmation (throws on rejection or timeout). */
  async subscribed(identifier: string, extra: object = {}, timeoutMs = 3000): Promise<void> {
    this.subscribe(identifier, extra);
    const answer = await this.nextFrame(
      (f) =>
        f.identifier === identifier &&
        (f.type === 'confirm_subscription' || f.type === 'reject_subscription'),
      timeoutMs,
    );
    if (answer.type !== 'confirm_subscription')
      throw new Error(`subscription to ${identifier} was rejected`);
  }

  /**
   * Takes the first queued frame matching `predicate`, waiting for one up to `timeoutMs`.
   * Frames it passes over stay queued.
   */
  async nextFrame(predicate: FramePredicate = () => true, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#queue.findIndex(predicate);
      if (i >= 0) return this.#queue.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        const state = this.ws.readyState === WebSocket.CLOSED ? 'closed' : 'open';
        throw new Error(
          `no matching frame within ${String(timeoutMs)} ms (socket ${state}); queued: ${this.#queue.map((f) => f.raw).join(' | ') || 'none'}`,
        );
      }
      await this.#waitForFrame(left);
    }
  }

  /** Queued frames matching `predicate`, taken off the queue. */
  take(predicate: FramePredicate = () => true): Frame[] {
    const taken = this.#queue.filter(predicate);
    this.#queue = this.#queue.filter((f) => !predicate(f));
    return taken;
  }

  /**
   * A round trip through the connection's in-order command queue: subscribes to a channel that
   * does not exist and waits for its rejection. Any reply to an earlier command, and any frame
   * the server wrote before this point, has arrived once this resolves.
   */
  async barrier(timeoutMs = 3000): Promise<void> {
    this.#barriers++;
    const identifier = JSON.stringify({ channel: 'TestBarrier', n: this.#barriers });
    this.subscribe(identifier);
    await this.nextFrame(
      (f) => f.type === 'reject_subscription' && f.identifier === identifier,
      timeoutMs,
    );
  }

  /** Waits for the socket to close, returning the close code and reason. */
  async waitClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`socket still open after ${String(timeoutMs)} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close();
  }

  terminate(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  #waitForFrame(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

export const isType =
  (type: string, identifier?: string): FramePredicate =>
  (f) =>
    f.type === type && (identifier === undefined || f.identifier === identifier);

/** A data frame (a broadcast or a transmit) for `identifier`. */
export const isData =
  (identifier?: string): FramePredicate =>
  (f) =>
    f.type === undefined &&
    'message' in f &&
    (identifier === undefined || f.identifier === identifier);
