import { PROTOCOL_EXT } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  connectedUser,
  createRoom,
  echoIdentifier,
  installEchoChannel,
  roomIdentifier,
} from './helpers/fixtures.js';
import { isData, isType, type RawClient } from './helpers/raw-client.js';

/** Every v1 frame kind, seen and sent raw over `ws` against a real server. */

async function echoServer(): Promise<TestServer> {
  const server = await startTestServer();
  installEchoChannel(server);
  return server;
}

function errorOf(frame: { message?: unknown }): Record<string, unknown> {
  return frame.message as Record<string, unknown>;
}

describe('welcome and ping', () => {
  test('v1 welcome is exactly {"type":"welcome"}, the first frame, sent once', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    expect(client.received[0]?.raw).toBe('{"type":"welcome"}');
    await client.barrier();
    expect(client.received.filter((f) => f.type === 'welcome')).toHaveLength(1);
  });

  test('ext welcome carries a session id', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server, PROTOCOL_EXT);
    const welcome = client.received[0]!;
    expect(welcome.type).toBe('welcome');
    expect(welcome.sid).toMatch(/^[\w-]{16,}$/);
    expect(welcome.restored).toBeUndefined();
  });

  test('pings arrive every ~3 s carrying unix seconds', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const first = await client.nextFrame(isType('ping'), 4000);
    const firstAt = Date.now();
    const second = await client.nextFrame(isType('ping'), 4000);
    const gap = Date.now() - firstAt;
    expect(gap).toBeGreaterThan(2500);
    expect(gap).toBeLessThan(3600);
    for (const ping of [first, second]) {
      expect(Object.keys(ping).sort()).toEqual(['message', 'raw', 'type']);
      expect(Number.isInteger(ping.message)).toBe(true);
      // Seconds, not milliseconds.
      expect(Math.abs((ping.message as number) - Date.now() / 1000)).toBeLessThan(5);
    }
    expect((second.message as number) - (first.message as number)).toBeGreaterThanOrEqual(2);
  });
});

describe('subscribe', () => {
  test('confirm and data frames echo the identifier byte for byte', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const spellings = [
      '{"channel":"EchoChannel","stream":"ünïcødé 💬 中文"}',
      '{"channel":"EchoChannel","stream":"quote \\" and backslash \\\\ </script>"}',
    ];
    for (const identifier of spellings) {
      client.subscribe(identifier);
      const confirm = await client.nextFrame(isType('confirm_subscription', identifier));
      expect(confirm.identifier).toBe(identifier);
    }
    const unicode = spellings[0]!;
    client.perform(unicode, { action: 'echo', text: 'héllo' });
    const data = await client.nextFrame(isData(unicode));
    expect(data.identifier).toBe(unicode);
    expect(data.message).toEqual({ type: 'echo', text: 'héllo' });
  });

  // One spelling per subscription: otherwise reordered keys, spaces, escapes or made-up keys give
  // one account any number of subscriptions to one stream, each its own copy of every broadcast.
  test('identifiers that are not the canonical spelling of accepted params are rejected', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const refused = [
      '{"stream":"odd order","channel":"EchoChannel"}',
      '{ "channel" : "EchoChannel",\n  "stream": "spaced" }',
      '{"channel":"EchoChannel","stream":"\\u00fcn\\u00efc\\u00f8d\\u00e9 escaped"}',
      '{"alpha":null,"channel":"EchoChannel","stream":"unknown key"}',
      '{"channel":"EchoChannel","pad":"' + 'x'.repeat(950) + '","stream":"padded"}',
      '{"channel":"UserChannel","n":1}',
      '{"channel":"RoomChannel","room":"not-a-uuid"}',
      '{"channel":"EchoChannel","stream":"' + 'y'.repeat(1100) + '"}',
    ];
    for (const identifier of refused) {
      client.subscribe(identifier);
      await client.nextFrame(isType('reject_subscription', identifier));
    }
    await client.subscribed('{"channel":"EchoChannel","stream":"odd order"}');
  });

  test('a duplicate subscribe gets no second confirm', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const id = echoIdentifier('dup');
    // The second arrives while the first may still be pending, the third after it is confirmed.
    client.subscribe(id);
    client.subscribe(id);
    await client.nextFrame(isType('confirm_subscription', id));
    client.subscribe(id);
    await client.barrier();
    expect(client.received.filter((f) => f.identifier === id)).toHaveLength(1);
  });

  test('unknown channel and unparsable identifiers are rejected', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const bad = [
      JSON.stringify({ channel: 'NoSuchChannel' }),
      'not json at all',
      '["channel","EchoChannel"]',
      '"EchoChannel"',
      '{"channel":42}',
      '{"channel":""}',
      '{"room":"no channel key"}',
      '{"channel":"EchoChannel"',
    ];
    for (const identifier of bad) {
      client.subscribe(identifier);
      const reply = await client.nextFrame((f) => f.identifier === identifier);
      expect(reply.type, identifier).toBe('reject_subscription');
    }
  });

  test('a rejected identifier is forgotten: subscribing again is answered again', async () => {
    const server = await echoServer();
    const { client, userId } = await connectedUser(server);
    const otherRoom = await createRoom(server, [(await connectedUser(server)).userId]);
    const id = roomIdentifier(otherRoom);
    client.subscribe(id);
    await client.nextFrame(isType('reject_subscription', id));
    // Now the user joins the room: the same identifier is subscribed afresh and confirmed.
    await server.salon.db
      .insertInto('memberships')
      .values({ room_id: otherRoom, user_id: userId, role: 'member', joined_at: Date.now() })
      .execute();
    client.subscribe(id);
    await client.nextFrame(isType('confirm_subscription', id));
  });

  test('RoomChannel confirms members and rejects everyone else', async () => {
    const server = await echoServer();
    const member = await connectedUser(server);
    const outsider = await connectedUser(server);
    const room = await createRoom(server, [member.userId]);
    await member.client.subscribed(roomIdentifier(room));
    outsider.client.subscribe(roomIdentifier(room));
    await outsider.client.nextFrame(isType('reject_subscription', roomIdentifier(room)));

    server.salon.cable.broadcast(`room:${room}`, { type: 'note', n: 1 });
    const frame = await member.client.nextFrame(isData(roomIdentifier(room)));
    expect(frame.raw).toBe(
      `{"identifier":${JSON.stringify(roomIdentifier(room))},"message":{"type":"note","n":1}}`,
    );
    await outsider.client.barrier();
    expect(outsider.client.received.filter(isData())).toHaveLength(0);
  });

  test('a second spelling of a subscription is refused: one frame per broadcast', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const a = '{"channel":"EchoChannel","stream":"shared"}';
    const b = '{"stream":"shared","channel":"EchoChannel"}';
    await client.subscribed(a);
    client.subscribe(b);
    await client.nextFrame(isType('reject_subscription', b));
    server.salon.cable.broadcast('shared', { type: 'note' });
    await client.nextFrame(isData(a));
    await client.barrier();
    expect(client.received.filter(isData())).toHaveLength(1);
  });
});

describe('unsubscribe', () => {
  test('gets no reply and stops broadcasts; subscribing again confirms again', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const id = echoIdentifier('unsub');
    await client.subscribed(id);
    server.salon.cable.broadcast('unsub', { type: 'note', n: 1 });
    await client.nextFrame(isData(id));

    client.unsubscribe(id);
    await client.barrier();
    server.salon.cable.broadcast('unsub', { type: 'note', n: 2 });
    await client.barrier();
    const afterUnsubscribe = client.received.filter((f) => f.identifier === id);
    // confirm + the first broadcast: nothing for the unsubscribe, nothing for broadcast 2.
    expect(afterUnsubscribe.map((f) => f.type ?? 'data')).toEqual(['confirm_subscription', 'data']);
    expect(server.salon.cable.registry.subscriberCount('unsub')).toBe(0);

    // Unsubscribing something never subscribed is silently ignored.
    client.unsubscribe(echoIdentifier('never'));
    await client.barrier();

    await client.subscribed(id);
    server.salon.cable.broadcast('unsub', { type: 'note', n: 3 });
    expect((await client.nextFrame(isData(id))).message).toEqual({ type: 'note', n: 3 });
  });
});

describe('message (perform)', () => {
  async function subscribedEcho(
    server: TestServer,
  ): Promise<{ client: RawClient; id: string; userId: string }> {
    const { client, userId } = await connectedUser(server);
    const id = echoIdentifier('perform');
    await client.subscribed(id);
    return { client, id, userId };
  }

  test('an action runs and its broadcast comes back', async () => {
    const server = await echoServer();
    const { client, id } = await subscribedEcho(server);
    client.perform(id, { text: 'hi', action: 'echo' });
    const frame = await client.nextFrame(isData(id));
    expect(frame.message).toEqual({ type: 'echo', text: 'hi' });
  });

  test('the identity comes from the handshake, not from the payload', async () => {
    const server = await echoServer();
    const { client, id, userId } = await subscribedEcho(server);
    const other = await connectedUser(server);
    client.perform(id, { action: 'whoami', user_id: other.userId });
    const frame = await client.nextFrame(isData(id));
    expect(frame.message).toEqual({ type: 'whoami', user_id: userId });
  });

  test('to an identifier not subscribed: NOT_SUBSCRIBED', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const id = echoIdentifier('nobody');
    client.perform(id, { action: 'echo' });
    const frame = await client.nextFrame(isData(id));
    expect(errorOf(frame)).toEqual({
      type: 'error',
      code: 'NOT_SUBSCRIBED',
      message: expect.any(String) as unknown,
    });
    // Nothing was broadcast on its behalf.
    expect(server.salon.cable.registry.subscriberCount('nobody')).toBe(0);
  });

  test('an unknown or missing action: UNKNOWN_ACTION', async () => {
    const server = await echoServer();
    const { client, id } = await subscribedEcho(server);
    client.perform(id, { action: 'dance' });
    expect(errorOf(await client.nextFrame(isData(id)))).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: expect.any(String) as unknown,
      action: 'dance',
    });
    // Only the channel's own actions are callable, not inherited or prototype members.
    for (const action of ['constructor', 'toString', '__proto__', 'subscribed', 'hasOwnProperty']) {
      client.perform(id, { action });
      const err = errorOf(await client.nextFrame(isData(id)));
      expect(err.code, action).toBe('UNKNOWN_ACTION');
    }
    client.perform(id, { text: 'no action' });
    expect(errorOf(await client.nextFrame(isData(id))).code).toBe('UNKNOWN_ACTION');
  });

  test('data that is not a JSON object string: INVALID_ACTION_DATA', async () => {
    const server = await echoServer();
    const { client, id } = await subscribedEcho(server);
    for (const data of ['not json', '[1,2]', '"echo"', 'null', '42', '{"action":7}']) {
      client.perform(id, data);
      const err = errorOf(await client.nextFrame(isData(id)));
      expect(err.code, data).toBe('INVALID_ACTION_DATA');
    }
  });

  test('an action that refuses reports its code, action and client_id', async () => {
    const server = await echoServer();
    const { client, id } = await subscribedEcho(server);
    client.perform(id, { action: 'fail', client_id: 'c-1' });
    expect(errorOf(await client.nextFrame(isData(id)))).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'This action always fails.',
      action: 'fail',
      client_id: 'c-1',
    });
    // The subscription still works.
    client.perform(id, { action: 'echo', n: 2 });
    expect((await client.nextFrame(isData(id))).message).toEqual({ type: 'echo', n: 2 });
  });

  test('commands run in order: a perform right after subscribe sees the subscription', async () => {
    const server = await echoServer();
    const { client } = await connectedUser(server);
    const id = echoIdentifier('ordered');
    client.subscribe(id);
    client.perform(id, { action: 'echo', n: 1 });
    await client.nextFrame(isType('confirm_subscription', id));
    expect((await client.nextFrame(isData(id))).message).toEqual({ type: 'echo', n: 1 });
  });
});
