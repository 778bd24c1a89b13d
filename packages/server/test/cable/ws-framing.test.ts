import { describe, expect, test } from 'vitest';
import { MAX_FRAME_BYTES } from '../../src/cable/create-cable.js';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import { connectedUser, newUser, type Member } from './helpers/fixtures.js';
import type { RawClient } from './helpers/raw-client.js';
import { OPCODE, RawSocket, closePayload, frame } from './helpers/raw-socket.js';

/**
 * WebSocket framing (RFC 6455) broken by hand over a real upgrade with a valid credential: each
 * violation closes that connection with the code the RFC names, and everyone else is still served.
 * The checks are the ws library's; these tests pin that Salon keeps them on (it must not, say,
 * skip UTF-8 validation for speed) and survives them.
 */

const USER = JSON.stringify({ channel: 'UserChannel' });
const PONG = '{"command":"pong"}';

interface Fixture {
  server: TestServer;
  member: Member;
  bystander: RawClient;
}

async function fixture(): Promise<Fixture> {
  const server = await startTestServer();
  const member = await newUser(server);
  const { client: bystander } = await connectedUser(server);
  return { server, member, bystander };
}

/** A hand-made connection, welcomed. */
async function open({ server, member }: Fixture): Promise<RawSocket> {
  const socket = await RawSocket.upgrade(server.port, {
    authorization: `Bearer ${member.token}`,
  });
  await socket.nextText((t) => t.includes('"welcome"'));
  return socket;
}

async function othersStillServed({ server, bystander }: Fixture): Promise<void> {
  bystander.unsubscribe(USER);
  await bystander.subscribed(USER);
  expect((await api(server, 'GET', '/healthz')).status).toBe(200);
}

const bytes = (...b: number[]) => Buffer.from(b);

describe('frames that break the protocol close the connection', () => {
  const cases: [string, Buffer[], number][] = [
    [
      'an unmasked client frame',
      [frame({ opcode: OPCODE.text, payload: PONG, masked: false })],
      1002,
    ],
    [
      'RSV1 without a negotiated extension',
      [frame({ opcode: OPCODE.text, payload: PONG, rsv: 4 })],
      1002,
    ],
    ['RSV2 and RSV3', [frame({ opcode: OPCODE.text, payload: PONG, rsv: 3 })], 1002],
    ['reserved data opcode 0x3', [frame({ opcode: 0x3, payload: PONG })], 1002],
    ['reserved control opcode 0xB', [frame({ opcode: 0xb })], 1002],
    [
      'invalid UTF-8 in a text frame',
      [frame({ opcode: OPCODE.text, payload: bytes(0x7b, 0xff, 0x7d) })],
      1007,
    ],
    [
      'invalid UTF-8 across two fragments',
      [
        frame({ opcode: OPCODE.text, payload: bytes(0x22, 0xe2, 0x82), fin: false }),
        frame({ opcode: OPCODE.continuation, payload: bytes(0x28, 0x22) }),
      ],
      1007,
    ],
    ['a fragmented ping', [frame({ opcode: OPCODE.ping, payload: 'a', fin: false })], 1002],
    ['a ping over 125 bytes', [frame({ opcode: OPCODE.ping, payload: 'p'.repeat(126) })], 1002],
    [
      'a close frame over 125 bytes',
      [frame({ opcode: OPCODE.close, payload: closePayload(1000, 'r'.repeat(124)) })],
      1002,
    ],
    [
      'a continuation with nothing to continue',
      [frame({ opcode: OPCODE.continuation, payload: PONG })],
      1002,
    ],
    [
      'a new text frame inside a fragmented message',
      [
        frame({ opcode: OPCODE.text, payload: '{"command":', fin: false }),
        frame({ opcode: OPCODE.text, payload: PONG }),
      ],
      1002,
    ],
    [
      'a binary frame inside a fragmented text message',
      [
        frame({ opcode: OPCODE.text, payload: '{"command":', fin: false }),
        frame({ opcode: OPCODE.binary, payload: 'x', fin: false }),
      ],
      1002,
    ],
    [
      'a close frame with a one-byte body',
      [frame({ opcode: OPCODE.close, payload: bytes(0x03) })],
      1002,
    ],
    [
      'a close frame with invalid UTF-8 in its reason',
      [frame({ opcode: OPCODE.close, payload: Buffer.concat([closePayload(1000), bytes(0xff)]) })],
      1007,
    ],
    ...[0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535].map(
      (code): [string, Buffer[], number] => [
        `a close frame with code ${String(code)}`,
        [frame({ opcode: OPCODE.close, payload: closePayload(code) })],
        1002,
      ],
    ),
    // The limit is read from the header: the payload itself never has to arrive.
    [
      `a frame announcing ${String(MAX_FRAME_BYTES + 1)} bytes`,
      [frame({ opcode: OPCODE.text, announcedLength: MAX_FRAME_BYTES + 1 })],
      1009,
    ],
    [
      'a frame announcing 2^63 - 1 bytes',
      [frame({ opcode: OPCODE.text, announcedLength: Number.MAX_SAFE_INTEGER })],
      1009,
    ],
  ];

  test('each with its RFC 6455 code; the server keeps serving others', async () => {
    const f = await fixture();
    for (const [what, frames, code] of cases) {
      const socket = await open(f);
      socket.send(...frames);
      expect(await socket.closedWith(), what).toBe(code);
      await othersStillServed(f);
    }
    // Every connection it closed is gone from the registry: only the bystander is left.
    expect(f.server.salon.cable.registry.stats().connections).toBe(1);
  });
});

describe('frames that keep to the protocol', () => {
  test('a text message in fragments, a ping between them, is put back together', async () => {
    const f = await fixture();
    const socket = await open(f);
    const command = JSON.stringify({ command: 'subscribe', identifier: USER });
    socket.send(
      frame({ opcode: OPCODE.text, payload: command.slice(0, 10), fin: false }),
      frame({ opcode: OPCODE.ping, payload: 'between' }),
      frame({ opcode: OPCODE.continuation, payload: command.slice(10, 30), fin: false }),
      frame({ opcode: OPCODE.continuation, payload: command.slice(30) }),
    );
    await socket.nextText((t) => t.includes('confirm_subscription'));
    const pong = socket.frames.find((x) => x.opcode === OPCODE.pong);
    expect(pong?.payload.toString()).toBe('between');
    socket.destroy();
  });

  test(`the frame limit is ${String(MAX_FRAME_BYTES)} bytes (sane for chat: at most 1 MiB)`, async () => {
    expect(MAX_FRAME_BYTES).toBeLessThanOrEqual(1024 * 1024);
    const f = await fixture();
    const socket = await open(f);
    // Exactly the limit, in fragments: the limit is on the message, not on each frame.
    const pad = `{"command":"subscribe","identifier":${JSON.stringify(USER)},"pad":"`;
    const message = pad + 'x'.repeat(MAX_FRAME_BYTES - pad.length - 2) + '"}';
    expect(Buffer.byteLength(message)).toBe(MAX_FRAME_BYTES);
    socket.send(
      frame({ opcode: OPCODE.text, payload: message.slice(0, 40_000), fin: false }),
      frame({ opcode: OPCODE.continuation, payload: message.slice(40_000) }),
    );
    await socket.nextText((t) => t.includes('confirm_subscription'));
    // One byte more, split the same way, is too big even though each frame is not.
    socket.send(
      frame({ opcode: OPCODE.text, payload: message.slice(0, 40_000), fin: false }),
      frame({ opcode: OPCODE.continuation, payload: `${message.slice(40_000)} ` }),
    );
    expect(await socket.closedWith()).toBe(1009);
    await othersStillServed(f);
  });
});
