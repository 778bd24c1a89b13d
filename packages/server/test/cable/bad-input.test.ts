import { CLOSE_CODES } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { startTestServer } from '../helpers/salon-server.js';
import {
  EMPTY_REGISTRY,
  connectedUser,
  echoIdentifier,
  installEchoChannel,
} from './helpers/fixtures.js';
import { isType } from './helpers/raw-client.js';

/** Frames a broken or hostile client may send (issue item 6). */

/** A pong padded to exactly `bytes` bytes of UTF-8. */
function paddedPong(bytes: number): string {
  const head = '{"command":"pong","pad":"';
  const tail = '"}';
  return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}

describe('oversized frames', () => {
  test('64 KiB is accepted; one byte more closes with 1009', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const { client } = await connectedUser(server);
    const limit = 64 * 1024;
    client.send(paddedPong(limit));
    await client.subscribed(echoIdentifier('big'));

    client.send(paddedPong(limit + 1));
    const closed = await client.waitClosed();
    expect(closed.code).toBe(1009);
    await waitFor(
      'the registry to forget it',
      () => JSON.stringify(server.salon.cable.registry.stats()) === JSON.stringify(EMPTY_REGISTRY),
    );
  });
});

describe('malformed frames', () => {
  test('are ignored, and the connection keeps working', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const { client } = await connectedUser(server);
    const junk: (string | Buffer)[] = [
      'not json',
      '{"command":"subscribe","identifier":',
      '',
      'null',
      '42',
      '"subscribe"',
      '[{"command":"subscribe"}]',
      '{}',
      '{"command":"dance","identifier":"{}"}',
      '{"command":"SUBSCRIBE","identifier":"{\\"channel\\":\\"EchoChannel\\"}"}',
      '{"command":"subscribe"}',
      '{"command":"subscribe","identifier":{"channel":"EchoChannel"}}',
      '{"command":"subscribe","identifier":42}',
      '{"command":"subscribe","identifier":""}',
      '{"command":"message","identifier":"{\\"channel\\":\\"EchoChannel\\"}","data":{"action":"echo"}}',
      `{"command":"subscribe","identifier":"${'x'.repeat(2000)}"}`,
      Buffer.from([0x00, 0xff, 0x10]),
    ];
    for (const frame of junk) {
      if (typeof frame === 'string') client.send(frame);
      else client.ws.send(frame, { binary: true });
    }
    const id = echoIdentifier('still works');
    await client.subscribed(id);
    client.perform(id, { action: 'echo', ok: true });
    await client.nextFrame((f) => f.identifier === id && f.type === undefined);
    // Nothing answered the junk but the two subscribes with identifiers the server cannot take
    // (empty, oversized): a client waiting for their answer hears it.
    expect(client.received.map((f) => f.type ?? 'data').filter((t) => t !== 'ping')).toEqual([
      'welcome',
      'reject_subscription',
      'reject_subscription',
      'confirm_subscription',
      'data',
    ]);
    expect(client.received.filter(isType('reject_subscription')).map((f) => f.identifier)).toEqual([
      '',
      'x'.repeat(2000),
    ]);
  });

  test('too many bad frames end the connection with invalid_request', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const { client } = await connectedUser(server);
    // Twenty are tolerated…
    for (let i = 0; i < 20; i++) client.send(`bad frame ${String(i)}`);
    await client.subscribed(echoIdentifier('tolerated'));
    // …the next one is not.
    client.send('{"command":"nope"}');
    const disconnect = await client.nextFrame(isType('disconnect'));
    expect(disconnect.raw).toBe(
      '{"type":"disconnect","reason":"invalid_request","reconnect":false}',
    );
    expect((await client.waitClosed()).code).toBe(CLOSE_CODES.invalid_request);
  });
});

describe('poisoned keys', () => {
  // JSON.parse makes `__proto__` an own key that zod then drops without a word: the frame was
  // read as something other than what was sent. Refused at every level, as HTTP refuses them.
  test('a __proto__ key in a frame, an identifier or action data is refused', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const { client } = await connectedUser(server);
    const id = echoIdentifier('poison');
    client.send(`{"command":"subscribe","identifier":${JSON.stringify(id)},"__proto__":{}}`);
    const poisonedId = `{"__proto__":{},${id.slice(1)}`;
    client.send(`{"command":"subscribe","identifier":${JSON.stringify(poisonedId)}}`);
    await client.barrier();
    expect(client.received.filter(isType('confirm_subscription'))).toEqual([]);
    expect(client.take(isType('reject_subscription')).map((f) => f.identifier)).toContain(
      poisonedId,
    );

    await client.subscribed(id);
    client.perform(id, '{"action":"echo","\\u005f_proto__":{"admin":true}}');
    client.perform(id, '{"action":"echo","constructor":{"prototype":{"admin":true}}}');
    await client.barrier();
    const answers = client.received
      .filter((f) => f.identifier === id && f.type === undefined)
      .map((f) => (f.message as { type?: string; code?: string }).code ?? 'broadcast');
    expect(answers).toEqual(['INVALID_ACTION_DATA', 'INVALID_ACTION_DATA']);
  });
});
