import { PROTOCOL_EXT, type MessageView } from '@salon/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RawClient, isType, type Frame } from '../cable/helpers/raw-client.js';
import {
  ChatClient,
  acceptedDm,
  createGroup,
  history,
  person,
  postMessage,
  roomIdentifier,
  summaryOf,
  type Person,
} from '../chat/chat-client.js';
import { api } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { TestCluster, type ClusterNode } from './helpers/cluster.js';

/**
 * Three real Salon processes on one PostgreSQL database and one Redis: people connected to
 * different nodes see one server.
 */
let cluster: TestCluster;
let n1: ClusterNode;
let n2: ClusterNode;
let n3: ClusterNode;

beforeAll(async () => {
  cluster = await TestCluster.start(3);
  [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
});

afterAll(async () => {
  await cluster.close();
});

/** Message events of `roomId` a client holds, in arrival order. */
function messagesIn(client: ChatClient, roomId: string): MessageView[] {
  const id = roomIdentifier(roomId);
  return client.raw.received
    .filter((f) => f.identifier === id && f.type === undefined)
    .map((f) => f.message as { type?: string; message?: MessageView })
    .filter((m) => m.type === 'message' && m.message?.kind === 'text')
    .map((m) => m.message as MessageView);
}

describe('a cluster of three nodes', () => {
  test('broadcasts reach every node, each stream in one order, the stored one', async () => {
    const ana = await person(n1, 'Ana');
    const ben = await person(n2, 'Ben');
    const cara = await person(n3, 'Cara');
    const room = await createGroup(n1, ana, 'Trip', [ben.id, cara.id]);
    const clients = await Promise.all(
      (
        [
          [n1, ana],
          [n2, ben],
          [n3, cara],
        ] as const
      ).map(async ([node, who]) => {
        const c = await ChatClient.connect(node, who);
        await c.joinRoom(room.id);
        return c;
      }),
    );
    const [anaWs, benWs, caraWs] = clients as [ChatClient, ChatClient, ChatClient];
    // Two senders on two nodes at once, interleaved.
    const perSender = 25;
    for (let i = 0; i < perSender; i++) {
      anaWs.speak(room.id, `a${String(i)}`, `a-${String(i)}`);
      benWs.speak(room.id, `b${String(i)}`, `b-${String(i)}`);
    }
    for (const c of clients)
      await waitFor(
        `${c.who.name} holds all ${String(2 * perSender)} messages`,
        () => messagesIn(c, room.id).length >= 2 * perSender,
        20_000,
      );
    const stored = await history(n3, cara, room.id, '?limit=100');
    expect(stored).toHaveLength(2 * perSender);
    const storedOrder = stored.map((m) => m.seq);
    for (const c of [anaWs, benWs, caraWs]) {
      const seen = messagesIn(c, room.id);
      expect(seen.map((m) => m.seq)).toEqual(storedOrder);
      expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
    }
  });

  test('typing and presence cross nodes', async () => {
    const ana = await person(n1, 'Ana');
    const ben = await person(n2, 'Ben');
    const dm = await acceptedDm(n1, ana, ben);
    const benWs = await ChatClient.connect(n2, ben);
    await benWs.joinRoom(dm.id);
    const isAna = (e: { users: { user_id: string }[] }) =>
      e.users.some((u) => u.user_id === ana.id);

    const anaWs = await ChatClient.connect(n1, ana);
    const online = await benWs.roomEvent(dm.id, 'presence', isAna, 5000);
    expect(online.users).toContainEqual({ user_id: ana.id, online: true, last_seen_at: null });
    // Every node answers the same: Ana is online (she is connected to n1 only).
    for (const node of [n1, n2, n3])
      await waitFor(`${node.name} shows Ana online`, async () => {
        return (await summaryOf(node, ben, dm.id))?.other?.online === true;
      });

    await anaWs.joinRoom(dm.id);
    anaWs.perform(dm.id, 'typing');
    const typing = await benWs.roomEvent(dm.id, 'typing', (e) => e.user.id === ana.id, 5000);
    expect(typing.user).toEqual({ id: ana.id, name: 'Ana' });

    // A second device on another node, then the first one closing: still online.
    const anaLaptop = await ChatClient.connect(n3, ana);
    anaWs.close();
    await anaWs.raw.waitClosed();
    await anaLaptop.joinRoom(dm.id);
    await benWs.expectNothing((f) => {
      const m = f.message as { type?: string; users?: { user_id: string }[] } | undefined;
      return (
        f.identifier === roomIdentifier(dm.id) &&
        m?.type === 'presence' &&
        isAna({ users: m.users ?? [] })
      );
    }, 600);
    anaLaptop.close();
    const offline = await benWs.roomEvent(dm.id, 'presence', isAna, 5000);
    expect(offline.users.find((u) => u.user_id === ana.id)?.online).toBe(false);
  });

  test('removing a member ends their subscriptions on every node; logout closes every node’s connections', async () => {
    const ana = await person(n1, 'Ana');
    const cara = await person(n2, 'Cara');
    const room = await createGroup(n1, ana, 'Club', [cara.id]);
    const caraOn2 = await ChatClient.connect(n2, cara);
    const caraOn3 = await ChatClient.connect(n3, cara);
    await caraOn2.joinRoom(room.id);
    await caraOn3.joinRoom(room.id);

    const removed = await api(
      n1,
      'DELETE',
      `/api/rooms/${room.id}/members/${cara.id}`,
      undefined,
      ana.token,
    );
    expect(removed.status).toBe(204);
    for (const c of [caraOn2, caraOn3])
      await c.raw.nextFrame(isType('reject_subscription', roomIdentifier(room.id)), 5000);

    const out = await api(n1, 'POST', '/api/auth/logout', {}, cara.token);
    expect(out.status).toBeLessThan(300);
    for (const c of [caraOn2, caraOn3]) {
      const bye = await c.raw.nextFrame(isType('disconnect'), 5000);
      expect(bye.reason).toBe('unauthorized');
      await c.raw.waitClosed(5000);
    }
  });

  test('ext: ?sid= restores on another node, and history resumes from the last position there', async () => {
    const ana = await person(n1, 'Ana');
    const ben = await person(n2, 'Ben');
    const room = await createGroup(n1, ana, 'Ext', [ben.id]);
    const id = roomIdentifier(room.id);
    const first = await extClient(n1, ben);
    const sid = first.welcome.sid!;
    await first.client.subscribed(id);
    await postMessage(n3, ana, room.id, 'one', 'ext-1');
    const seen = await first.client.nextFrame(
      (f) => f.identifier === id && f.offset !== undefined && bodyOf(f) === 'one',
      5000,
    );
    first.client.close();
    await first.client.waitClosed();

    // Meanwhile, on a third node.
    await postMessage(n3, ana, room.id, 'two', 'ext-2');
    await postMessage(n3, ana, room.id, 'three', 'ext-3');

    const second = await extClient(n2, ben, { sid });
    expect(second.welcome.restored).toBe(true);
    expect(second.welcome.restored_ids).toEqual([id]);
    second.client.send({
      command: 'history',
      identifier: id,
      history: { streams: { [seen.stream_id!]: { epoch: seen.epoch!, offset: seen.offset! } } },
    });
    await second.client.nextFrame(isType('confirm_history', id), 5000);
    const backlog = second.client.received.filter(
      (f) => f.identifier === id && f.offset !== undefined,
    );
    expect(backlog.map(bodyOf)).toEqual(['two', 'three']);
    expect(backlog.map((f) => f.offset)).toEqual([seen.offset! + 1, seen.offset! + 2]);
    expect(new Set(backlog.map((f) => f.epoch))).toEqual(new Set([seen.epoch]));

    // A position from another epoch cannot be served: reject_history, and REST fills the gap.
    second.client.send({
      command: 'history',
      identifier: id,
      history: { streams: { [seen.stream_id!]: { epoch: 'gone', offset: 1 } } },
    });
    await second.client.nextFrame(isType('reject_history', id), 5000);
  });

  test('the per-user connection cap holds across nodes', async () => {
    const cluster2 = await TestCluster.start(2, {
      env: { SALON_CABLE_MAX_CONNECTIONS_PER_USER: '2' },
    });
    try {
      const [a, b] = cluster2.nodes as [ClusterNode, ClusterNode];
      const dan = await person(a, 'Dan');
      await ChatClient.connect(a, dan);
      const second = await ChatClient.connect(b, dan);
      const third = await RawClient.open(`${b.wsUrl}/cable`, {
        headers: { authorization: `Bearer ${dan.token}` },
      });
      const refused = await third.nextFrame(isType('disconnect'), 5000);
      expect(refused.reason).toBe('too_many_connections');
      // A slot freed on one node is free on the other.
      second.close();
      await second.raw.waitClosed();
      const again = await waitFor('a slot again', async () => {
        const c = await RawClient.open(`${a.wsUrl}/cable`, {
          headers: { authorization: `Bearer ${dan.token}` },
        });
        const f = await c.nextFrame((x) => x.type === 'welcome' || x.type === 'disconnect');
        return f.type === 'welcome' ? c : (c.terminate(), false);
      });
      expect(again.isOpen).toBe(true);
    } finally {
      await cluster2.close();
    }
  });
});

async function extClient(
  node: ClusterNode,
  who: Person,
  query: Record<string, string> = {},
): Promise<{ client: RawClient; welcome: Frame }> {
  const url = new URL('/cable', node.wsUrl);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const client = await RawClient.open(url.toString(), {
    protocols: PROTOCOL_EXT,
    headers: { authorization: `Bearer ${who.token}` },
  });
  const welcome = await client.nextFrame(isType('welcome'), 5000);
  return { client, welcome };
}

function bodyOf(f: Frame): string | undefined {
  const m = f.message as { type?: string; message?: { body?: string } } | undefined;
  return m?.type === 'message' ? m.message?.body : undefined;
}
