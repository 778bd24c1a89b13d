import { describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  createGroup,
  history,
  openDm,
  person,
  postMessage,
  roomIdentifier,
  summaryOf,
  type Person,
} from './chat-client.js';

/** Every chat route that names a room, with a body that would be valid for a member. */
function roomRoutes(
  roomId: string,
  messageId: string,
  userId: string,
): [string, string, unknown][] {
  return [
    ['GET', `/api/rooms/${roomId}`, undefined],
    ['PATCH', `/api/rooms/${roomId}`, { name: 'mine now' }],
    ['GET', `/api/rooms/${roomId}/members`, undefined],
    ['POST', `/api/rooms/${roomId}/members`, { members: [userId] }],
    ['DELETE', `/api/rooms/${roomId}/members/${userId}`, undefined],
    ['DELETE', `/api/rooms/${roomId}/members/me`, undefined],
    ['GET', `/api/rooms/${roomId}/messages`, undefined],
    ['GET', `/api/rooms/${roomId}/messages?after=0`, undefined],
    ['POST', `/api/rooms/${roomId}/messages`, { body: 'sneaky', client_id: 'eve-1' }],
    ['PATCH', `/api/rooms/${roomId}/messages/${messageId}`, { body: 'edited by Eve' }],
    ['DELETE', `/api/rooms/${roomId}/messages/${messageId}`, undefined],
    ['POST', `/api/rooms/${roomId}/read`, { seq: 1 }],
  ];
}

async function setup(server: TestServer) {
  const ana = await person(server, 'Ana');
  const ben = await person(server, 'Ben');
  const eve = await person(server, 'Eve');
  const group = await createGroup(server, ana, 'Private', [ben.id]);
  const dm = await openDm(server, ana, { user_id: ben.id });
  const inGroup = await postMessage(server, ana, group.id, 'group secret', 'g1');
  const inDm = await postMessage(server, ben, dm.id, 'dm secret', 'd1');
  return { ana, ben, eve, group, dm, inGroup, inDm };
}

async function expectUntouched(server: TestServer, who: Person, roomId: string, bodies: string[]) {
  const msgs = await history(server, who, roomId);
  expect(msgs.map((m) => m.body)).toEqual(bodies);
  expect(msgs.every((m) => m.edited_at === null && m.deleted_at === null)).toBe(true);
}

describe('nobody outside a room can read or write it', () => {
  it('every HTTP route answers a non-member 404 ROOM_NOT_FOUND, as for a room that does not exist', async () => {
    const server = await startTestServer();
    const { ana, ben, eve, group, dm, inGroup, inDm } = await setup(server);
    const cases = [
      ...roomRoutes(group.id, inGroup.id, ben.id),
      ...roomRoutes(dm.id, inDm.id, ben.id),
      // A room that does not exist looks exactly the same.
      ...roomRoutes('00000000-0000-4000-8000-000000000000', inGroup.id, ben.id),
    ];
    for (const [method, path, body] of cases) {
      const res = await api(server, method, path, body, eve.token);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(codeOf(res.body), `${method} ${path}`).toBe('ROOM_NOT_FOUND');
    }
    // And nobody without a session gets anywhere.
    for (const [method, path, body] of roomRoutes(group.id, inGroup.id, ben.id)) {
      const res = await api(server, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await api(server, 'GET', '/api/rooms')).status).toBe(401);

    // Nothing changed: names, members, messages, read marks.
    await expectUntouched(server, ana, group.id, ['group secret']);
    await expectUntouched(server, ana, dm.id, ['dm secret']);
    expect(await summaryOf(server, ana, group.id)).toMatchObject({
      name: 'Private',
      unread_count: 0,
    });
    expect((await summaryOf(server, ana, dm.id))?.unread_count).toBe(1);
    const members = await api(
      server,
      'GET',
      `/api/rooms/${group.id}/members`,
      undefined,
      ana.token,
    );
    expect((members.body as { members: unknown[] }).members).toHaveLength(2);
    expect(await api(server, 'GET', '/api/rooms', undefined, eve.token)).toMatchObject({
      status: 200,
      body: { rooms: [] },
    });
  });

  it('a non-member is refused every subscription and every action, and hears nothing', async () => {
    const server = await startTestServer();
    const { ana, eve, group, dm, inGroup } = await setup(server);
    const eveWs = await ChatClient.connect(server, eve);
    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(group.id);

    for (const roomId of [group.id, dm.id, 'no-such-room']) {
      expect(await eveWs.tryJoinRoom(roomId)).toBe('reject_subscription');
    }
    // Identifiers that name no room at all.
    for (const identifier of [
      { channel: 'RoomChannel' },
      { channel: 'RoomChannel', room: '' },
      { channel: 'RoomChannel', room: 42 },
      { channel: 'RoomChannel', room: [group.id] },
      { channel: 'RoomChannel', room: 'x'.repeat(65) },
    ]) {
      const id = JSON.stringify(identifier);
      eveWs.raw.subscribe(id);
      const f = await eveWs.raw.nextFrame(
        (x) =>
          x.identifier === id &&
          (x.type === 'confirm_subscription' || x.type === 'reject_subscription'),
      );
      expect(f.type, id).toBe('reject_subscription');
    }

    // Actions on a room she could not subscribe to: each refused with an error frame.
    const actions: [string, object][] = [
      ['speak', { body: 'hi', client_id: 'eve-ws-1' }],
      ['typing', {}],
      ['read', { seq: 1 }],
      ['edit', { message_id: inGroup.id, body: 'mine' }],
      ['delete', { message_id: inGroup.id }],
    ];
    for (const [action, data] of actions) {
      eveWs.perform(group.id, action, data);
      const f = await eveWs.raw.nextFrame((x) => x.identifier === roomIdentifier(group.id));
      expect(f.message, action).toMatchObject({ type: 'error' });
    }

    // Ana's room saw none of it: a barrier after one real message proves the queue is drained.
    anaWs.speak(group.id, 'still private', 'a2');
    await anaWs.message(group.id, 'a2');
    await anaWs.raw.barrier();
    expect(anaWs.takeRoom(group.id)).toEqual([]);
    await eveWs.raw.barrier();
    expect(eveWs.takeRoom(group.id)).toEqual([]);
    await expectUntouched(server, ana, group.id, ['group secret', 'still private']);
    eveWs.close();
    anaWs.close();
  });

  it('ids in URLs are checked: garbage ids, and message ids from another room', async () => {
    const server = await startTestServer();
    const { ana, group, dm, inGroup, inDm } = await setup(server);
    // Ana is in both rooms; a message id from one is not found through the other.
    for (const [method, body] of [
      ['PATCH', { body: 'moved?' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(
        server,
        method,
        `/api/rooms/${group.id}/messages/${inDm.id}`,
        body,
        ana.token,
      );
      expect(res.status, method).toBe(404);
      expect(codeOf(res.body)).toBe('MESSAGE_NOT_FOUND');
    }
    // Replying to another room's message is refused and stores nothing.
    const reply = await api(
      server,
      'POST',
      `/api/rooms/${group.id}/messages`,
      { body: 'reply', client_id: 'r1', reply_to: inDm.id },
      ana.token,
    );
    expect(reply.status).toBe(400);
    expect(codeOf(reply.body)).toBe('MESSAGE_NOT_FOUND');

    const garbage = ['nope', '%20', "'%20OR%201=1--", '..%2F..%2Fetc', encodeURIComponent('"}{')];
    for (const id of garbage) {
      for (const path of [
        `/api/rooms/${id}`,
        `/api/rooms/${id}/messages`,
        `/api/rooms/${id}/members`,
      ]) {
        const res = await api(server, 'GET', path, undefined, ana.token);
        expect([400, 404], `${path} → ${String(res.status)}`).toContain(res.status);
      }
      const msg = await api(
        server,
        'PATCH',
        `/api/rooms/${group.id}/messages/${id}`,
        { body: 'x' },
        ana.token,
      );
      expect([400, 404], `message ${id}`).toContain(msg.status);
      const member = await api(
        server,
        'DELETE',
        `/api/rooms/${group.id}/members/${id}`,
        undefined,
        ana.token,
      );
      expect([400, 404], `member ${id}`).toContain(member.status);
    }
    const long = 'x'.repeat(65);
    for (const path of [`/api/rooms/${long}`, `/api/rooms/${group.id}/messages/${long}`]) {
      const res = await api(server, 'GET', path, undefined, ana.token);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }

    // Over the cable, the same: another room's message id is not found.
    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(group.id);
    anaWs.perform(group.id, 'edit', { message_id: inDm.id, body: 'moved?' });
    expect(await anaWs.roomEvent(group.id, 'error')).toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
      action: 'edit',
    });
    anaWs.perform(group.id, 'delete', { message_id: inDm.id });
    expect(await anaWs.roomEvent(group.id, 'error')).toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
      action: 'delete',
    });
    anaWs.speak(group.id, 'reply', 'r2', { reply_to: inDm.id });
    // Refused inside the job: the failure goes to the sender's private stream.
    await anaWs.joinUser();
    const failed = await anaWs.userEvent('message_failed', (e) => e.client_id === 'r2');
    expect(failed).toMatchObject({ room_id: group.id, code: 'MESSAGE_NOT_FOUND' });

    await expectUntouched(server, ana, group.id, ['group secret']);
    await expectUntouched(server, ana, dm.id, ['dm secret']);
    expect(inGroup.room_id).toBe(group.id);
    anaWs.close();
  });
});
