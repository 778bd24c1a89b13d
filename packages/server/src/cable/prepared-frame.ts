/**
 * One outgoing frame, encoded once however many connections it goes to: the JSON text for
 * long polling, and (built on first use) the complete WebSocket frame bytes, so a broadcast to N
 * sockets frames its payload once and writes the same Buffer N times.
 */
/**
 * Where a positioned frame sits in its stream, for one subscription: `key` names the subscription,
 * stream and epoch, `offset` the position. Lets a connection drop a live frame that its history
 * backlog already carried.
 */
export interface FramePosition {
  readonly key: string;
  readonly offset: number;
}

export function framePositionKey(identifierJson: string, stream: string, epoch: string): string {
  return `${identifierJson}\n${stream}\n${epoch}`;
}

export class PreparedFrame {
  readonly text: string;
  readonly position: FramePosition | undefined;
  #wsBytes: Buffer | undefined;

  constructor(text: string, position?: FramePosition) {
    this.text = text;
    this.position = position;
  }

  static of(frame: object): PreparedFrame {
    return new PreparedFrame(JSON.stringify(frame));
  }

  /** An unmasked, final text frame (RFC 6455 §5.2), header and payload in one Buffer. */
  wsBytes(): Buffer {
    this.#wsBytes ??= encodeTextFrame(this.text);
    return this.#wsBytes;
  }
}

export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const buf = Buffer.allocUnsafe(headerLength + length);
  buf[0] = 0x81; // FIN + opcode 1 (text)
  if (length < 126) {
    buf[1] = length;
  } else if (length < 65_536) {
    buf[1] = 126;
    buf.writeUInt16BE(length, 2);
  } else {
    buf[1] = 127;
    buf.writeBigUInt64BE(BigInt(length), 2);
  }
  buf.write(text, headerLength, 'utf8');
  return buf;
}
