import { describe, expect, test } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  EMPTY_REGISTRY,
  connectRaw,
  createRoom,
  echoIdentifier,
  installEchoChannel,
  newUser,
  roomIdentifier,
  ticketFor,
} from './helpers/fixtures.js';
import { PollClient } from './helpers/poll-client.js';
import { isData, isType } from './helpers/raw-client.js';

/** The same conversation as over WebSocket, held through POST /cable/poll. */

const FAST_POLLS = { SALON_POLL_WAIT_SECONDS: '1', SALON_POLL_SESSION_TTL_SECONDS: '5' };

async function pollServer(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ env: { ...FAST_POLLS, ...env } });
  installEchoChannel(server);
  return server;
}

const registryIsEmpty = (server: TestServer) => () =>
  JSON.stringify(server.salon.cable.registry.stats()) === JSON.stringify(EMPTY_REGISTRY);

describe('a long-polling conversation', () => {
  test('welcome, subscribe, confirm, broadcasts, perform, reject, errors', async () => {
    const server = await pollServer();
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const client = new PollClient(server, { token: user.token });

    const first = await client.poll();
    expect(first.status).toBe(200);
    expect(first.pollId).toMatch(/^[\w-]{16,}$/);
    expect(first.frames.map((f) => f.raw)).toEqual(['{"type":"welcome"}']);

    await client.subscribed(roomIdentifier(room));
    server.salon.cable.broadcast(`room:${room}`, { type: 'note', n: 1 }, { durable: true });
    const data = await client.nextFrame(isData(roomIdentifier(room)));
    // Long polling speaks v1: no positions.
    expect(data.raw).toBe(
      `{"identifier":${JSON.stringify(roomIdentifier(room))},"message":{"type":"note","n":1}}`,
    );

    const echo = echoIdentifier('lp');
    await client.subscribed(echo);
    client.perform(echo, { action: 'echo', text: 'over http' });
    expect((await client.nextFrame(isData(echo))).message).toEqual({
      type: 'echo',
      text: 'over http',
    });
    client.perform(echo, { action: 'nope' });
    expect((await client.nextFrame(isData(echo))).message).toMatchObject({
      code: 'UNKNOWN_ACTION',
    });

    const outsider = await createRoom(server, [(await newUser(server)).userId]);
    client.subscribe(roomIdentifier(outsider));
    await client.nextFrame(isType('reject_subscription', roomIdentifier(outsider)));
    // Several commands in one body run in order.
    client.send('not json');
    client.send({ command: 'unsubscribe', identifier: echo });
    client.subscribe(echo);
    await client.nextFrame(isType('confirm_subscription', echo));
    // No pings: they would end every poll at once.
    expect(client.received.some((f) => f.type === 'ping')).toBe(false);
  });

  test('a held poll is answered as soon as a frame arrives', async () => {
    const server = await startTestServer({
      env: { SALON_POLL_WAIT_SECONDS: '20', SALON_POLL_SESSION_TTL_SECONDS: '60' },
    });
    installEchoChannel(server);
    const user = await newUser(server);
    const client = new PollClient(server, { token: user.token });
    await client.nextFrame(isType('welcome'));
    const id = echoIdentifier('held');
    await client.subscribed(id);
    const started = Date.now();
    const held = client.poll();
    await waitFor('the poll to be held', () => Date.now() - started > 200);
    server.salon.cable.broadcast('held', { type: 'note' });
    const res = await held;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.frames.map((f) => f.message)).toEqual([{ type: 'note' }]);
  });

  test('frames not acknowledged are sent again', async () => {
    const server = await pollServer();
    const user = await newUser(server);
    const client = new PollClient(server, { token: user.token });
    await client.nextFrame(isType('welcome'));
    const id = echoIdentifier('redeliver');
    await client.subscribed(id);
    const before = client.cursor;
    for (let n = 1; n <= 3; n++) server.salon.cable.broadcast('redeliver', { type: 'note', n });

    const got = await client.poll();
    expect(got.frames.map((f) => f.message)).toEqual([1, 2, 3].map((n) => ({ type: 'note', n })));
    expect(got.cursor).toBe(before + 3);
    // The answer was "lost": poll again with the old cursor and get the same frames.
    const again = await client.poll({ cursor: before });
    expect(again.frames.map((f) => f.raw)).toEqual(got.frames.map((f) => f.raw));
    expect(again.cursor).toBe(got.cursor);
    // Acknowledging part of them drops only those.
    const partial = await client.poll({ cursor: before + 2 });
    expect(partial.frames.map((f) => f.message)).toEqual([{ type: 'note', n: 3 }]);
    // Acknowledged: nothing more (the poll waits its second and answers empty).
    const done = await client.poll({ cursor: got.cursor! });
    expect(done.status).toBe(200);
    expect(done.frames).toEqual([]);
    // An old cursor after acknowledgement cannot bring back what is gone.
    const stale = await client.poll({ cursor: before });
    expect(stale.frames).toEqual([]);
  });
});

describe('ending a long-polling session', () => {
  test('a session not polled in time expires: 410 session_expired', async () => {
    const server = await pollServer();
    const user = await newUser(server);
    const client = new PollClient(server, { token: user.token });
    await client.nextFrame(isType('welcome'));
    await client.subscribed(echoIdentifier('expiry'));
    // Not polling now; the server must let the session go after SALON_POLL_SESSION_TTL_SECONDS.
    await waitFor('the session to expire', registryIsEmpty(server), 9000, 100);
    const res = await client.poll();
    expect(res.status).toBe(410);
    expect(res.frames.map((f) => f.raw)).toEqual([
      '{"type":"disconnect","reason":"session_expired","reconnect":true}',
    ]);
    // An id the server never issued gets the same answer.
    const unknown = await fetch(new URL('/cable/poll', server.url), {
      method: 'POST',
      headers: { 'x-salon-poll-id': 'no-such-poll' },
      body: '',
    });
    expect(unknown.status).toBe(410);
  });

  test('an outbox overflow ends the session with a disconnect that says reconnect', async () => {
    const server = await pollServer({ SALON_POLL_MAX_QUEUED_FRAMES: '10' });
    const user = await newUser(server);
    const client = new PollClient(server, { token: user.token });
    await client.nextFrame(isType('welcome'));
    const id = echoIdentifier('overflow');
    await client.subscribed(id);
    for (let n = 1; n <= 15; n++) server.salon.cable.broadcast('overflow', { type: 'note', n });
    await waitFor(
      'the session to end',
      () => server.salon.cable.registry.stats().connections === 0,
    );
    const res = await client.poll();
    expect(res.status).toBe(200);
    const last = res.frames.at(-1)!;
    expect(last.type).toBe('disconnect');
    expect(last.reconnect).toBe(true);
    expect(last.raw).toBe('{"type":"disconnect","reason":"slow_consumer","reconnect":true}');
    // What it got before the end is in order, with no gaps.
    const ns = res.frames.filter(isData(id)).map((f) => (f.message as { n: number }).n);
    expect(ns).toEqual(ns.map((_, i) => i + 1));
    await waitFor(
      'the poll id to be forgotten',
      async () => (await client.poll()).status === 410,
      4000,
      100,
    );
  });

  test('no credential: 401 unauthorized; a ticket works; logout ends the session', async () => {
    const server = await pollServer();
    const anonymous = await new PollClient(server).poll();
    expect(anonymous.status).toBe(401);
    expect(anonymous.frames.map((f) => f.raw)).toEqual([
      '{"type":"disconnect","reason":"unauthorized","reconnect":false}',
    ]);
    expect(anonymous.pollId).toBeUndefined();

    const user = await newUser(server);
    const client = new PollClient(server, { ticket: await ticketFor(server, user.token) });
    await client.nextFrame(isType('welcome'));
    expect((await api(server, 'POST', '/api/auth/logout', undefined, user.token)).status).toBe(204);
    const end = await client.nextFrame(isType('disconnect'));
    expect(end.raw).toBe('{"type":"disconnect","reason":"unauthorized","reconnect":false}');
    await waitFor('the registry to empty', registryIsEmpty(server));
  });
});

describe('transports side by side', () => {
  test('a WebSocket client and a long-polling client in one room see each other', async () => {
    const server = await pollServer();
    const alice = await newUser(server);
    const bob = await newUser(server);
    const room = await createRoom(server, [alice.userId, bob.userId]);
    const roomId = roomIdentifier(room);
    // Actions go through a test channel that broadcasts to the room's stream.
    const say = echoIdentifier(`room:${room}`);

    const { client: ws } = await connectRaw(server, { token: alice.token });
    await ws.subscribed(roomId);
    await ws.subscribed(say);
    const lp = new PollClient(server, { token: bob.token });
    await lp.nextFrame(isType('welcome'));
    await lp.subscribed(roomId);
    await lp.subscribed(say);

    ws.perform(say, { action: 'echo', from: 'alice' });
    expect((await lp.nextFrame(isData(roomId))).message).toEqual({ type: 'echo', from: 'alice' });
    lp.perform(say, { action: 'echo', from: 'bob' });
    await lp.poll(); // deliver the command
    const fromBob = await ws.nextFrame(
      (f) => isData(roomId)(f) && (f.message as { from?: string }).from === 'bob',
    );
    expect(fromBob.message).toEqual({ type: 'echo', from: 'bob' });
    // Both transports count for the registry the same way.
    expect(server.salon.cable.registry.subscriberCount(`room:${room}`)).toBe(4);
  });
});
