import type { GroupEventView, MessageView } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { api, startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  ChatClient,
  createGroup,
  timeline as history,
  ok,
  openDm,
  person,
  postMessage,
  summaryOf,
} from './chat-client.js';

/**
 * Group events in the timeline: stored and broadcast like messages (each with its seq), so that
 * history shows them after a reload and every member's client gets them live.
 */

const events = (messages: MessageView[]): [string, string, GroupEventView | null][] =>
  messages
    .filter((m) => m.kind === 'event')
    .map((m) => [m.sender.id, m.event?.type ?? '', m.event]);

describe('group events', () => {
  it('created, added, renamed, removed, left: in history, live, in order with messages', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cleo = await person(server, 'Cleo');
    const room = await createGroup(server, ana, 'Trip', [ben.id]);
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);

    await waitFor(
      'the created event',
      async () => (await history(server, ana, room.id)).length === 1,
    );
    await postMessage(server, ana, room.id, 'hello', 'm1');
    await ok(server, 'POST', `/api/rooms/${room.id}/members`, { members: [cleo.id] }, ana.token);
    const added = await benWs.roomEvent(
      room.id,
      'message',
      (e) => e.message.event?.type === 'added',
    );
    expect(added.message).toMatchObject({
      kind: 'event',
      body: null,
      sender: { id: ana.id, name: 'Ana' },
      event: { type: 'added', users: [{ id: cleo.id, name: 'Cleo' }] },
    });
    await ok(server, 'PATCH', `/api/rooms/${room.id}`, { name: 'Summer trip' }, ana.token);
    await ok(
      server,
      'DELETE',
      `/api/rooms/${room.id}/members/${cleo.id}`,
      undefined,
      ana.token,
      204,
    );
    await ok(server, 'DELETE', `/api/rooms/${room.id}/members/me`, undefined, ben.token, 204);

    const all = await waitFor('every event stored', async () => {
      const h = await history(server, ana, room.id);
      return h.length === 6 ? h : undefined;
    });
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all[1]).toMatchObject({ kind: 'text', body: 'hello', event: null });
    expect(events(all)).toEqual([
      [ana.id, 'created', { type: 'created', name: 'Trip' }],
      [ana.id, 'added', { type: 'added', users: [{ id: cleo.id, name: 'Cleo' }] }],
      [ana.id, 'renamed', { type: 'renamed', name: 'Summer trip' }],
      [ana.id, 'removed', { type: 'removed', user: { id: cleo.id, name: 'Cleo' } }],
      [ben.id, 'left', { type: 'left' }],
    ]);
    // Events are not something to read: Ana's unread count never counted them.
    expect((await summaryOf(server, ana, room.id))?.unread_count).toBe(0);
    // They survive a restart.
    const again = await server.restart();
    expect(events(await history(again, ana, room.id))).toHaveLength(5);
  });

  it('an invitation accepted says "joined"; an invitee not yet in is not named', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const dan = await person(server, 'Dan');
    await ok(server, 'PATCH', '/api/me', { group_adds: 'contacts' }, dan.token);
    const room = await createGroup(server, ana, 'Club', [dan.id]);
    expect(room.members.find((m) => m.id === dan.id)).toMatchObject({
      status: 'pending',
      name: null,
    });
    await waitFor(
      'the created event',
      async () => (await history(server, ana, room.id)).length === 1,
    );
    await ok(server, 'POST', `/api/rooms/${room.id}/accept`, {}, dan.token);
    const joined = await waitFor('the joined event', async () =>
      (await history(server, ana, room.id)).find((m) => m.event?.type === 'joined'),
    );
    expect(joined.sender.id).toBe(dan.id);
  });

  it('events cannot be edited or deleted; direct conversations have none', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await createGroup(server, ana, 'Trip', [ben.id]);
    const created = await waitFor('the created event', async () =>
      (await history(server, ana, room.id)).find((m) => m.kind === 'event'),
    );
    for (const [method, body] of [
      ['PATCH', { body: 'rewritten' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(
        server,
        method,
        `/api/rooms/${room.id}/messages/${created.id}`,
        body,
        ana.token,
      );
      expect(res.status, method).toBe(403);
    }
    const dm = await openDm(server, ana, { user_id: ben.id }, 201);
    await postMessage(server, ana, dm.id, 'hi', 'd1');
    expect((await history(server, ana, dm.id)).map((m) => m.kind)).toEqual(['text']);
  });
});
