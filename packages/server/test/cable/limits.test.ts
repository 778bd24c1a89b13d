import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { CLOSE_CODES, PROTOCOL_EXT, PROTOCOL_V1 } from '@salon/protocol';
import { describe, expect, onTestFinished, test } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  EMPTY_REGISTRY,
  cableUrl,
  connectRaw,
  connectedUser,
  createRoom,
  echoIdentifier,
  installEchoChannel,
  newUser,
  roomIdentifier,
} from './helpers/fixtures.js';
import { RawClient, isData, isType } from './helpers/raw-client.js';

/** Per-connection and per-user limits, slow consumers, and the registry's bookkeeping. */

const registryIsEmpty = (server: TestServer) => () =>
  JSON.stringify(server.salon.cable.registry.stats()) === JSON.stringify(EMPTY_REGISTRY);

describe('command rate limit', () => {
  test('a burst within the limit is fine; beyond it: rate_limited', async () => {
    const server = await startTestServer({
      env: { SALON_CABLE_COMMANDS_PER_SECOND: '1', SALON_CABLE_COMMAND_BURST: '10' },
    });
    const { client } = await connectedUser(server);
    for (let i = 0; i < 9; i++) client.send({ command: 'pong' });
    await client.barrier(); // the tenth command
    for (let i = 0; i < 20; i++) client.send({ command: 'pong' });
    const disconnect = await client.nextFrame(isType('disconnect'));
    expect(disconnect.raw).toBe('{"type":"disconnect","reason":"rate_limited","reconnect":true}');
    expect((await client.waitClosed()).code).toBe(CLOSE_CODES.rate_limited);
    await waitFor('the registry to forget it', registryIsEmpty(server));
  });
});

describe('connections per user', () => {
  test('the third is refused with too_many_connections; a slot frees on close', async () => {
    const server = await startTestServer({ env: { SALON_CABLE_MAX_CONNECTIONS_PER_USER: '2' } });
    const user = await newUser(server);
    const first = await connectRaw(server, { token: user.token });
    await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });

    const third = await RawClient.open(cableUrl(server), {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect((await third.waitClosed()).code).toBe(CLOSE_CODES.too_many_connections);
    expect(third.received.map((f) => f.raw)).toEqual([
      '{"type":"disconnect","reason":"too_many_connections","reconnect":true}',
    ]);
    // Another user is not affected.
    await connectedUser(server);

    first.client.close();
    await waitFor(
      'the slot to free',
      () => server.salon.cable.registry.connectionsOfUser(user.userId).size === 1,
    );
    await connectRaw(server, { token: user.token });
  });

  test('concurrent connects cannot overshoot the cap', async () => {
    const server = await startTestServer({ env: { SALON_CABLE_MAX_CONNECTIONS_PER_USER: '2' } });
    const user = await newUser(server);
    const clients = await Promise.all(
      Array.from({ length: 6 }, () =>
        RawClient.open(cableUrl(server), { headers: { authorization: `Bearer ${user.token}` } }),
      ),
    );
    const first = await Promise.all(clients.map((c) => c.nextFrame(() => true)));
    expect(first.filter((f) => f.type === 'welcome')).toHaveLength(2);
    expect(first.filter((f) => f.reason === 'too_many_connections')).toHaveLength(4);
  });
});

/** A client that completes the WebSocket handshake by hand, subscribes, and then never reads. */
async function stuckClient(
  server: TestServer,
  token: string,
  identifier: string,
): Promise<net.Socket> {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  socket.write(
    [
      'GET /cable HTTP/1.1',
      `Host: 127.0.0.1:${String(server.port)}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Protocol: ${PROTOCOL_V1}`,
      `Authorization: Bearer ${token}`,
      '',
      '',
    ].join('\r\n'),
  );
  socket.write(maskedTextFrame(JSON.stringify({ command: 'subscribe', identifier })));
  // Read until the confirmation, then stop reading for good.
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no confirm; got ${seen}`)), 3000);
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.startsWith('HTTP/1.1 101')) reject(new Error(`upgrade refused: ${seen}`));
      if (seen.includes('confirm_subscription')) {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        socket.pause();
        resolve();
      }
    });
  });
  return socket;
}

/** A client→server text frame (clients must mask, RFC 6455 §5.3). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length >= 126) throw new Error('keep test frames short');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

describe('slow consumers', () => {
  test('a client that stops reading is dropped and its memory freed; others keep up', async () => {
    const server = await startTestServer({ env: { SALON_CABLE_MAX_BUFFERED_BYTES: '65536' } });
    installEchoChannel(server);
    const stuckUser = await newUser(server);
    const id = echoIdentifier('firehose');
    const socket = await stuckClient(server, stuckUser.token, id);
    // Writes a pong a second, so that only the buffer bound (not the liveness check) can cut it.
    const alive = setInterval(
      () => socket.write(Buffer.concat([Buffer.from([0x8a, 0x80]), randomBytes(4)])),
      1000,
    );
    onTestFinished(() => clearInterval(alive));
    const healthy = await connectedUser(server);
    await healthy.client.subscribed(id);
    expect(server.salon.cable.registry.subscriberCount('firehose')).toBe(2);

    const chunk = 'x'.repeat(8 * 1024);
    let sent = 0;
    let received = 0;
    // Broadcast 32 KiB per turn (half the bound: a reader that keeps up never gets near it) until
    // the stuck client is cut off; the healthy one drains as it goes.
    await waitFor(
      'the stuck client to be disconnected',
      () => {
        for (let i = 0; i < 4; i++)
          server.salon.cable.broadcast('firehose', { type: 'note', n: ++sent, chunk });
        received += healthy.client.take(isData(id)).length;
        return server.salon.cable.registry.connectionsOfUser(stuckUser.userId).size === 0;
      },
      20_000,
      1,
    );
    expect(server.salon.cable.registry.subscriberCount('firehose')).toBe(1);
    server.salon.cable.broadcast('firehose', { type: 'last' });
    await healthy.client.nextFrame(
      (f) => isData(id)(f) && (f.message as { type: string }).type === 'last',
      10_000,
    );
    received += healthy.client.take(isData(id)).length;
    expect(received).toBe(sent);
    healthy.client.close();
    socket.destroy();
    await waitFor('every trace gone', registryIsEmpty(server));
  });
});

describe('slow consumers in a real room', () => {
  // A member's socket stops reading while their room floods (broadcast on the room's stream, as
  // the message job does after each stored message, without the store's pace in the way).
  test('a member who stops reading while the room floods is cut off; the others get every message', async () => {
    const server = await startTestServer({ env: { SALON_CABLE_MAX_BUFFERED_BYTES: '65536' } });
    const [stuck, reader] = [await newUser(server), await newUser(server)];
    const room = await createRoom(server, [reader.userId, stuck.userId]);
    const id = roomIdentifier(room);
    const socket = await stuckClient(server, stuck.token, id);
    // It keeps writing (a pong a second) so that the liveness check, which drops a peer silent for
    // 6-9 s, cannot be what cuts it off: only the buffer bound can.
    const pong = () => Buffer.concat([Buffer.from([0x8a, 0x80]), randomBytes(4)]);
    const alive = setInterval(() => socket.write(pong()), 1000);
    onTestFinished(() => clearInterval(alive));
    const { client: healthy } = await connectRaw(server, { token: reader.token });
    await healthy.subscribed(id);

    const chunk = 'x'.repeat(8 * 1024);
    let sent = 0;
    let received = 0;
    const flood = (n: number) =>
      server.salon.cable.broadcast(`room:${room}`, { type: 'note', n, chunk });
    await waitFor(
      'the stuck member to be disconnected',
      () => {
        for (let i = 0; i < 4; i++) flood(++sent);
        received += healthy.take(isData(id)).length;
        return server.salon.cable.registry.connectionsOfUser(stuck.userId).size === 0;
      },
      20_000,
      1,
    );
    expect(server.salon.cable.registry.subscriberCount(`room:${room}`)).toBe(1);
    await waitFor(
      'the reader to have every broadcast',
      () => (received += healthy.take(isData(id)).length) === sent,
      10_000,
    );
    socket.destroy();
  });
});

describe('registry bookkeeping', () => {
  test('200 connections with subscriptions come and go; the registry ends empty', async () => {
    const server = await startTestServer({ env: { SALON_CABLE_MAX_CONNECTIONS_PER_USER: '100' } });
    installEchoChannel(server);
    const users = await Promise.all([
      newUser(server),
      newUser(server),
      newUser(server),
      newUser(server),
    ]);
    const room = await createRoom(
      server,
      users.map((u) => u.userId),
    );
    let n = 0;
    const one = async (): Promise<void> => {
      const i = n++;
      const user = users[i % users.length]!;
      const { client } = await connectRaw(server, {
        token: user.token,
        protocols: i % 2 === 0 ? PROTOCOL_V1 : PROTOCOL_EXT,
      });
      const ids = [
        roomIdentifier(room),
        '{"channel":"InboxChannel"}',
        echoIdentifier(`leak-${String(i % 7)}`),
        '{"channel":"UserChannel"}',
      ];
      for (const id of ids) client.subscribe(id);
      switch (i % 4) {
        case 0: // closes before the subscriptions are confirmed
          client.close();
          break;
        case 1: // drops without a close handshake, mid-subscribe
          client.terminate();
          break;
        case 2: // unsubscribes some, then closes
          for (const id of ids) await client.nextFrame(isType('confirm_subscription', id));
          client.unsubscribe(ids[0]!);
          await client.barrier();
          client.close();
          break;
        default: // fully subscribed, then cut off
          for (const id of ids) await client.nextFrame(isType('confirm_subscription', id));
          client.terminate();
      }
      await client.waitClosed();
    };
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 20 }, one));
    expect(n).toBe(200);
    await waitFor('the registry to empty', registryIsEmpty(server), 5000);
    expect(server.salon.cable.registry.subscriberCount(`room:${room}`)).toBe(0);
    // Still serving.
    const { client } = await connectRaw(server, { token: users[0].token });
    await client.subscribed(roomIdentifier(room));
  });
});

describe('bursts', () => {
  // A history backlog bigger than SALON_CABLE_MAX_BUFFERED_BYTES must not cut off a reader that
  // keeps up: the bound applies to what stays unsent past a grace period (see
  // websocket-transport.ts), with a hard cap far above it.
  test('a history backlog larger than the buffer bound reaches a healthy reader', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const user = await newUser(server);
    const { client } = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const id = echoIdentifier('backlog');
    await client.subscribed(id);
    const chunk = 'x'.repeat(4000);
    for (let n = 1; n <= 300; n++) {
      server.salon.cable.broadcast('backlog', { type: 'note', n, chunk }, { durable: true });
      // Live, a few at a time: the reader keeps up.
      if (n % 10 === 0) await client.nextFrame((f) => isData(id)(f) && f.offset === n);
    }
    client.take(isData(id));
    const epoch = client.received.find((f) => f.epoch !== undefined)!.epoch!;
    client.send({
      command: 'history',
      identifier: id,
      history: { streams: { backlog: { epoch, offset: 0 } } },
    });
    const answer = await client.nextFrame(
      (f) => f.type === 'confirm_history' || f.type === 'disconnect',
    );
    expect(answer.raw).toBe(`{"type":"confirm_history","identifier":${JSON.stringify(id)}}`);
  });
});
