import { describe, expect, test } from 'vitest';
import { HoldingTransport } from './holding-transport.js';
import { framePositionKey, PreparedFrame } from './prepared-frame.js';
import type { Transport } from './transport.js';

class Recorder implements Transport {
  readonly kind = 'websocket';
  readonly wantsPings = true;
  readonly written: string[] = [];
  write(frame: PreparedFrame): void {
    this.written.push(frame.text);
  }
  beat(): void {}
  close(): void {}
  onClose(): void {}
}

const key = framePositionKey('"room"', 'room:1', 'e1');
const at = (text: string, offset: number, k = key) => new PreparedFrame(text, { key: k, offset });

describe('HoldingTransport', () => {
  test('live frames wait behind the backlog, and those the backlog carried are not sent twice', () => {
    const inner = new Recorder();
    const transport = new HoldingTransport(inner);
    transport.hold();
    transport.write(at('live 5', 5));
    transport.write(at('live 6', 6));
    transport.write(new PreparedFrame('unpositioned'));
    transport.write(at('other stream 2', 2, framePositionKey('"room"', 'room:2', 'e1')));
    transport.writeThrough(at('backlog 4', 4));
    transport.writeThrough(at('backlog 5', 5));
    transport.writeThrough(new PreparedFrame('confirm_history'));
    expect(inner.written).toEqual(['backlog 4', 'backlog 5', 'confirm_history']);
    transport.release();
    expect(inner.written).toEqual([
      'backlog 4',
      'backlog 5',
      'confirm_history',
      'live 6',
      'unpositioned',
      'other stream 2',
    ]);
  });

  test('a later history starts afresh: what an earlier one carried does not drop new frames', () => {
    const inner = new Recorder();
    const transport = new HoldingTransport(inner);
    transport.hold();
    transport.writeThrough(at('backlog 9', 9));
    transport.release();
    transport.hold();
    transport.write(at('live 3 of a new epoch', 3, framePositionKey('"room"', 'room:1', 'e2')));
    transport.release();
    transport.write(at('live 10', 10));
    expect(inner.written).toEqual(['backlog 9', 'live 3 of a new epoch', 'live 10']);
  });
});
