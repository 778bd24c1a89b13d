import type { BenchPayload } from '../payload.js';

/** Where a client hands what it receives once it has joined the room. */
export interface DeliverySink {
  /** A broadcast arrived: `receivedAt` in ms since the epoch, `bytes` the frame's payload size. */
  delivery(payload: BenchPayload, receivedAt: number, bytes: number): void;
  /** A frame that is not a broadcast (pings and the like). */
  other(): void;
  /** The connection closed after joining. */
  closed(): void;
}

/** Options every client passes to `new WebSocket`. */
export function socketOptions(index: number): {
  localAddress: string;
  perMessageDeflate: false;
  skipUTF8Validation: true;
  handshakeTimeout: number;
} {
  return {
    // Spread source addresses over 127.0.0.1-4 so 10k+ connections (and the TIME_WAIT left by
    // earlier runs) never exhaust one address's ephemeral ports; traffic stays on loopback.
    localAddress: `127.0.0.${String(1 + (index % 4))}`,
    perMessageDeflate: false,
    // The generator's CPU is the scarce resource; the servers are ours and send valid UTF-8.
    skipUTF8Validation: true,
    handshakeTimeout: 30_000,
  };
}

/** The text of a received frame (ws hands a Buffer with the default binaryType). */
export function frameText(data: unknown): string {
  if (Buffer.isBuffer(data)) return data.toString();
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString();
  throw new Error('unexpected frame data');
}
