import { createRequire } from 'node:module';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
type Frame = (data: Buffer, options: FrameOptions) => Buffer[];

// ws exports its Sender (lib/sender.js) at runtime, but @types/ws does not declare it.
const ws = createRequire(import.meta.url)('ws') as { Sender?: { frame?: unknown } };
const frame = ws.Sender?.frame;
if (typeof frame !== 'function') throw new Error('ws no longer exports Sender.frame');
const senderFrame = frame as Frame;

/**
 * One unmasked, final WebSocket text frame holding `text`, as one buffer: ws's own framing, so
 * the bytes are exactly what `ws.send(text)` would put on the wire.
 */
export function buildTextFrame(text: string): Buffer {
  const parts = senderFrame(Buffer.from(text), {
    fin: true,
    opcode: 1,
    mask: false,
    readOnly: true,
    rsv1: false,
  });
  return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
}
