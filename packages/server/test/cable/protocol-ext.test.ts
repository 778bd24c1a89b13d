import { PROTOCOL_EXT, PROTOCOL_V1 } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { startTestServer, type TestServer } from '../helpers/salon-server.js';
import { z } from 'zod';
import { Channel, defineChannel } from '../../src/cable/channel.js';
import {
  cableUrl,
  connectRaw,
  createRoom,
  echoIdentifier,
  installEchoChannel,
  newUser,
  roomIdentifier,
} from './helpers/fixtures.js';
import { RawClient, isData, isType, type Frame } from './helpers/raw-client.js';

/** AnyCable's extended protocol: positions, history, session restore; and v1 kept free of it. */

async function echoServer(): Promise<TestServer> {
  const server = await startTestServer();
  installEchoChannel(server);
  return server;
}

const positionOf = (f: Frame) => ({ stream_id: f.stream_id, epoch: f.epoch, offset: f.offset });

describe('stream positions and history', () => {
  test('durable broadcasts carry positions; ephemeral ones do not', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const { client } = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const id = echoIdentifier('pos');
    await client.subscribed(id);

    server.salon.cable.broadcast('pos', { type: 'note', n: 1 }, { durable: true });
    server.salon.cable.broadcast('pos', { type: 'typing' });
    server.salon.cable.broadcast('pos', { type: 'note', n: 2 }, { durable: true });
    const [a, b, c] = [
      await client.nextFrame(isData(id)),
      await client.nextFrame(isData(id)),
      await client.nextFrame(isData(id)),
    ];
    expect(a.message).toEqual({ type: 'note', n: 1 });
    expect(a.stream_id).toBe('pos');
    expect(a.epoch).toMatch(/^[\w-]+$/);
    expect(a.offset).toBe(1);
    expect(b.message).toEqual({ type: 'typing' });
    expect(b.raw).not.toContain('stream_id');
    expect(b.raw).not.toContain('offset');
    expect(positionOf(c)).toEqual({ stream_id: 'pos', epoch: a.epoch, offset: 2 });
  });

  test('history returns the backlog after an offset, then confirm_history', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const { client } = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const id = echoIdentifier('hist');
    await client.subscribed(id);
    for (let n = 1; n <= 4; n++)
      server.salon.cable.broadcast('hist', { type: 'note', n }, { durable: true });
    const live = [];
    for (let n = 1; n <= 4; n++) live.push(await client.nextFrame(isData(id)));
    const epoch = live[0]!.epoch!;

    client.send({
      command: 'history',
      identifier: id,
      history: { since: 0, streams: { hist: { epoch, offset: 2 } } },
    });
    const backlog = [await client.nextFrame(isData(id)), await client.nextFrame(isData(id))];
    expect(backlog.map((f) => f.message)).toEqual([
      { type: 'note', n: 3 },
      { type: 'note', n: 4 },
    ]);
    expect(backlog.map((f) => f.offset)).toEqual([3, 4]);
    const confirm = await client.nextFrame(isType('confirm_history', id));
    // The backlog comes before the confirmation.
    expect(client.received.indexOf(confirm)).toBeGreaterThan(client.received.indexOf(backlog[1]!));

    // Up to date: an empty backlog, still confirmed.
    client.send({
      command: 'history',
      identifier: id,
      history: { streams: { hist: { epoch, offset: 4 } } },
    });
    await client.nextFrame(isType('confirm_history', id));
    await client.barrier();
    expect(client.take(isData(id))).toEqual([]);
  });

  test('history by timestamp (since) returns what was broadcast since then', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const { client } = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const since = Math.floor(Date.now() / 1000) - 1;
    server.salon.cable.broadcast('since', { type: 'note', n: 1 }, { durable: true });
    server.salon.cable.broadcast('since', { type: 'note', n: 2 }, { durable: true });
    // Subscribing with history: confirm first, then the backlog, then confirm_history.
    const id = echoIdentifier('since');
    client.subscribe(id, { history: { since, streams: {} } });
    const confirm = await client.nextFrame(isType('confirm_subscription', id));
    const backlog = [await client.nextFrame(isData(id)), await client.nextFrame(isData(id))];
    const done = await client.nextFrame(isType('confirm_history', id));
    expect(backlog.map((f) => f.offset)).toEqual([1, 2]);
    const order = [confirm, ...backlog, done].map((f) => client.received.indexOf(f));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  test('reject_history for a wrong epoch, an evicted offset, or an identifier not subscribed', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const { client } = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const id = echoIdentifier('rej');
    await client.subscribed(id);
    server.salon.cable.broadcast('rej', { type: 'note' }, { durable: true });
    await client.nextFrame(isData(id));

    client.send({
      command: 'history',
      identifier: id,
      history: { streams: { rej: { epoch: 'not-the-epoch', offset: 0 } } },
    });
    await client.nextFrame(isType('reject_history', id));

    const other = echoIdentifier('not-subscribed');
    client.send({ command: 'history', identifier: other, history: { since: 1 } });
    await client.nextFrame(isType('reject_history', other));
    await client.barrier();
    // A rejected history request sends nothing else.
    expect(client.take(isData())).toEqual([]);
    expect(client.received.some((f) => f.type === 'confirm_history')).toBe(false);
  });

  test('presence is always answered (the AnyCable client waits for it)', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const { client } = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const id = echoIdentifier('presence');
    await client.subscribed(id);
    client.send({ command: 'presence', identifier: id, data: {} });
    const frame = await client.nextFrame(isType('presence', id));
    expect(frame.message).toEqual({ type: 'info', total: 0, records: [] });
    // pong, whisper, join and leave are accepted silently.
    client.send({ command: 'pong' });
    client.send({ command: 'whisper', identifier: id, data: { event: 'typing' } });
    client.send({ command: 'join', identifier: id, presence: { id: '1', info: {} } });
    client.send({ command: 'leave', identifier: id });
    await client.barrier();
    expect(client.take((f) => f.identifier === id)).toEqual([]);
  });
});

describe('session restore (?sid=)', () => {
  test('a dropped ext session comes back with its subscriptions and a new sid', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const first = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const ids = [roomIdentifier(room), echoIdentifier('restore')];
    for (const id of ids) await first.client.subscribed(id);
    const sid = first.welcome.sid!;
    first.client.terminate();
    await waitFor(
      'the server to see the drop',
      () => server.salon.cable.registry.stats().connections === 0,
    );

    const second = await connectRaw(server, {
      token: user.token,
      protocols: PROTOCOL_EXT,
      query: { sid },
    });
    expect(second.welcome.restored).toBe(true);
    expect(second.welcome.sid).toMatch(/^[\w-]{16,}$/);
    expect(second.welcome.sid).not.toBe(sid);
    expect([...second.welcome.restored_ids!].sort()).toEqual([...ids].sort());
    // Streams are attached without a subscribe and without confirm frames.
    server.salon.cable.broadcast(`room:${room}`, { type: 'note' });
    server.salon.cable.broadcast('restore', { type: 'note' });
    await second.client.nextFrame(isData(ids[0]));
    await second.client.nextFrame(isData(ids[1]));
    expect(second.client.received.some((f) => f.type === 'confirm_subscription')).toBe(false);
    // Performing works on restored subscriptions.
    second.client.perform(ids[1]!, { action: 'echo', n: 1 });
    expect((await second.client.nextFrame(isData(ids[1]))).message).toEqual({ type: 'echo', n: 1 });
  });

  test('a sid restores once, only for its own user, and an empty sid is no sid', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const stranger = await newUser(server);
    const dropped = async (): Promise<string> => {
      const { client, welcome } = await connectRaw(server, {
        token: user.token,
        protocols: PROTOCOL_EXT,
      });
      await client.subscribed(echoIdentifier('once'));
      client.close();
      await waitFor(
        'the server to see the close',
        () => server.salon.cable.registry.stats().connections === 0,
      );
      return welcome.sid!;
    };

    const stolen = await dropped();
    const theft = await connectRaw(server, {
      token: stranger.token,
      protocols: PROTOCOL_EXT,
      query: { sid: stolen },
    });
    expect(theft.welcome.restored).toBeUndefined();
    expect(theft.welcome.restored_ids).toBeUndefined();
    await theft.client.barrier();
    expect(server.salon.cable.registry.subscriberCount('once')).toBe(0);
    theft.client.close();

    const sid = await dropped();
    const restored = await connectRaw(server, {
      token: user.token,
      protocols: PROTOCOL_EXT,
      query: { sid },
    });
    expect(restored.welcome.restored).toBe(true);
    const again = await connectRaw(server, {
      token: user.token,
      protocols: PROTOCOL_EXT,
      query: { sid },
    });
    expect(again.welcome.restored).toBeUndefined();
    const empty = await connectRaw(server, {
      token: user.token,
      protocols: PROTOCOL_EXT,
      query: { sid: '' },
    });
    expect(empty.welcome.restored).toBeUndefined();
    expect(empty.welcome.sid).toMatch(/^[\w-]{16,}$/);
  });

  test('a restored session of a room the user has left no longer streams it', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const first = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    await first.client.subscribed(roomIdentifier(room));
    first.client.terminate();
    await waitFor('the drop', () => server.salon.cable.registry.stats().connections === 0);
    await server.salon.db.deleteFrom('memberships').where('room_id', '=', room).execute();

    const second = await connectRaw(server, {
      token: user.token,
      protocols: PROTOCOL_EXT,
      query: { sid: first.welcome.sid! },
    });
    expect(second.welcome.restored).toBe(true);
    expect(second.welcome.restored_ids).toEqual([]);
    expect(server.salon.cable.registry.subscriberCount(`room:${room}`)).toBe(0);
  });
  test('nothing reaches a restored session before its welcome', async () => {
    const server = await echoServer();
    // A channel whose subscribed() waits until the test lets it go: restore is caught midway.
    let release: () => void = () => undefined;
    let gateReached = false;
    class GatedChannel extends Channel {
      readonly actions = {};
      override async subscribed(): Promise<void> {
        if (this.params.gated === true) {
          gateReached = true;
          await new Promise<void>((resolve) => (release = resolve));
        }
        this.streamFrom('gated');
      }
    }
    server.salon.cable.channels.set(
      'GatedChannel',
      defineChannel(
        z.strictObject({ channel: z.literal('GatedChannel'), gated: z.boolean().optional() }),
        (host, id, params) => new GatedChannel(host, id, params),
      ),
    );
    const user = await newUser(server);
    const first = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const echo = echoIdentifier('before-welcome');
    const gated = JSON.stringify({ channel: 'GatedChannel', gated: true });
    await first.client.subscribed(echo);
    const subscribing = first.client.subscribed(gated);
    await waitFor('the gate', () => gateReached);
    release();
    await subscribing;
    first.client.terminate();
    await waitFor('the drop', () => server.salon.cable.registry.stats().connections === 0);

    gateReached = false;
    const second = await RawClient.open(cableUrl(server, { sid: first.welcome.sid! }), {
      protocols: PROTOCOL_EXT,
      headers: { authorization: `Bearer ${user.token}` },
    });
    await waitFor('restore to reach the gate', () => gateReached);
    // Mid-restore: the echo subscription is back already, the gated one not yet.
    server.salon.cable.broadcast('before-welcome', { type: 'note' }, { durable: true });
    release();
    const welcome = await second.nextFrame(isType('welcome'));
    expect(welcome.restored_ids).toEqual([echo, gated]);
    expect(second.received[0]?.type).toBe('welcome');
    // The broadcast made during the restore is recovered through history, in order.
    second.send({ command: 'history', identifier: echo, history: { since: 1 } });
    await second.nextFrame(isType('confirm_history', echo));
    expect(second.received.filter(isData(echo)).map((f) => f.offset)).toEqual([1]);
  });
});

describe('v1 sockets never see ext frames', () => {
  test('no sid, no positions, no history or presence replies, no restore', async () => {
    const server = await echoServer();
    const user = await newUser(server);
    const ext = await connectRaw(server, { token: user.token, protocols: PROTOCOL_EXT });
    const { client, welcome } = await connectRaw(server, {
      token: user.token,
      protocols: PROTOCOL_V1,
      query: { sid: ext.welcome.sid! },
    });
    expect(welcome.raw).toBe('{"type":"welcome"}');
    const id = echoIdentifier('v1');
    // Same identifier string on both sockets: the registry keeps per-protocol frames apart.
    client.subscribe(id, { history: { since: 1, streams: {} } });
    await client.nextFrame(isType('confirm_subscription', id));
    await ext.client.subscribed(id);

    server.salon.cable.broadcast('v1', { type: 'note', n: 1 }, { durable: true });
    const v1Frame = await client.nextFrame(isData(id));
    const extFrame = await ext.client.nextFrame(isData(id));
    expect(v1Frame.raw).toBe(
      `{"identifier":${JSON.stringify(id)},"message":{"type":"note","n":1}}`,
    );
    expect(extFrame.offset).toBe(1);

    client.send({ command: 'history', identifier: id, history: { since: 1 } });
    client.send({ command: 'presence', identifier: id, data: {} });
    client.send({ command: 'pong' });
    await client.barrier();
    const extOnly = ['confirm_history', 'reject_history', 'presence'];
    expect(client.received.filter((f) => extOnly.includes(f.type ?? ''))).toEqual([]);
    expect(client.received.filter((f) => f.sid !== undefined || f.stream_id !== undefined)).toEqual(
      [],
    );
    // Every frame a v1 socket got is a v1 frame type (or a data frame).
    const v1Types = [
      'welcome',
      'ping',
      'confirm_subscription',
      'reject_subscription',
      'disconnect',
    ];
    for (const f of client.received) if (f.type !== undefined) expect(v1Types).toContain(f.type);
  });
});
