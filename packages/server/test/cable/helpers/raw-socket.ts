import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { PROTOCOL_V1 } from '@salon/protocol';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * A WebSocket client written by hand over node:net, for frames no well-behaved library would send
 * (RFC 6455 section 5): unmasked, reserved bits, oversized control frames, broken fragments.
 */

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Default true. */
  fin?: boolean;
  /** RSV1-3 as a 3-bit number (default 0). */
  rsv?: number;
  /** Default true: clients must mask. */
  masked?: boolean;
  /** Announce this length instead of the payload's (the payload is sent as given). */
  announcedLength?: number;
}

/** One frame's bytes. */
export function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string'
      ? Buffer.from(spec.payload)
      : (spec.payload ?? Buffer.alloc(0));
  const length = spec.announcedLength ?? payload.length;
  const masked = spec.masked ?? true;
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f);
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, (masked ? 0x80 : 0) | length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt8(first, 0);
    header.writeUInt8((masked ? 0x80 : 0) | 126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(first, 0);
    header.writeUInt8((masked ? 0x80 : 0) | 127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([header, key, body]);
}

/** A close frame's payload: the code, then the reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return Buffer.concat([b, Buffer.from(reason)]);
}

interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export class RawSocket {
  readonly frames: ServerFrame[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    socket.on('close', () => (this.#ended = true));
    socket.on('error', () => (this.#ended = true));
  }

  /**
   * Connects to `port`, sends an upgrade for /cable with `headers`, and reads the 101 answer.
   * Rejects with the status line when the server answers anything else.
   */
  static async upgrade(port: number, headers: Record<string, string>): Promise<RawSocket> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const lines = [
      'GET /cable HTTP/1.1',
      `Host: 127.0.0.1:${String(port)}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Protocol: ${PROTOCOL_V1}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const head = await new Promise<{ status: string; rest: Buffer }>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        const end = got.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        resolve({
          status: got.subarray(0, got.indexOf('\r\n')).toString(),
          rest: got.subarray(end + 4),
        });
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error('closed before the upgrade answer')));
    });
    if (!head.status.startsWith('HTTP/1.1 101')) {
      socket.destroy();
      throw new Error(`upgrade refused: ${head.status}`);
    }
    const raw = new RawSocket(socket);
    raw.#buffer = head.rest;
    raw.#parse();
    return raw;
  }

  send(...frames: Buffer[]): void {
    for (const f of frames) this.socket.write(f);
  }

  /** Text frames received so far, decoded. */
  get texts(): string[] {
    return this.frames.filter((f) => f.opcode === OPCODE.text).map((f) => f.payload.toString());
  }

  async nextText(predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    return waitFor('a text frame', () => this.texts.find(predicate), timeoutMs);
  }

  /**
   * The code of the server's close frame, once the server has also ended the TCP connection
   * (RFC 6455: after a protocol error the server closes, it does not wait for the client).
   */
  async closedWith(timeoutMs = 5000): Promise<number> {
    await waitFor('the server to close the connection', () => this.#ended, timeoutMs);
    const close = this.frames.find((f) => f.opcode === OPCODE.close);
    if (!close) throw new Error('the connection ended without a close frame');
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Server frames are never masked and, from Salon, never fragmented. */
  #parse(): void {
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      let length = (b[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      this.frames.push({
        opcode: (b[0] ?? 0) & 0x0f,
        payload: b.subarray(offset, offset + length),
      });
      this.#buffer = b.subarray(offset + length);
    }
  }
}
