import type { MemberView, RoomDetail } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { api, startTestServer, testPhone } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  createGroup,
  history,
  ok,
  person,
  roomIdentifier,
  summaryOf,
} from './chat-client.js';

const membersOf = async (
  server: Parameters<typeof ok>[0],
  token: string,
  roomId: string,
): Promise<MemberView[]> =>
  (
    await ok<{ members: MemberView[] }>(
      server,
      'GET',
      `/api/rooms/${roomId}/members`,
      undefined,
      token,
    )
  ).members;

describe('groups', () => {
  it('three people talk in a group; each message reaches all three in the same order', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const room = await createGroup(server, ana, '  Trip  ', [ben.phone, cara.id, ana.id, ben.id]);
    expect(room).toMatchObject({ kind: 'group', name: 'Trip', role: 'owner', last_seq: 0 });
    // Everyone listed once (duplicates and the creator folded in); the creator owns it.
    // Members who joined in the same instant are listed in no promised order: compare as sets.
    const byId = (a: [string, string], b: [string, string]) => a[0].localeCompare(b[0]);
    expect(room.members.map((m): [string, string] => [m.id, m.role]).sort(byId)).toEqual(
      (
        [
          [ana.id, 'owner'],
          [ben.id, 'member'],
          [cara.id, 'member'],
        ] as [string, string][]
      ).sort(byId),
    );

    const clients = await Promise.all([ana, ben, cara].map((p) => ChatClient.connect(server, p)));
    await Promise.all(clients.map((c) => c.joinRoom(room.id)));
    const [a, b, c] = clients as [ChatClient, ChatClient, ChatClient];
    a.speak(room.id, 'from Ana', 'a1');
    await a.message(room.id, 'a1');
    b.speak(room.id, 'from Ben', 'b1');
    await b.message(room.id, 'b1');
    c.speak(room.id, 'from Cara', 'c1');
    await c.message(room.id, 'c1');
    for (const client of clients) {
      // Cara's copy reached her: one round trip makes sure the same broadcast reached this one.
      await client.raw.barrier();
      const seen = client
        .takeRoom(room.id)
        .flatMap((e) => (e.type === 'message' ? [[e.message.seq, e.message.body]] : []));
      // The sender's own copy was consumed above; the other two arrive in seq order (from 2:
      // the group's "created" event is seq 1).
      const mine = { [ana.id]: 2, [ben.id]: 3, [cara.id]: 4 }[client.who.id];
      expect(seen).toEqual(
        [
          [2, 'from Ana'],
          [3, 'from Ben'],
          [4, 'from Cara'],
        ].filter(([seq]) => seq !== mine),
      );
    }
    const list = await summaryOf(server, ben, room.id);
    expect(list).toMatchObject({ name: 'Trip', last_seq: 4, unread_count: 1, other: null });
    for (const client of clients) client.close();
  });

  it('members are added (by phone, signed in or not) and announced; only admins add', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const room = await createGroup(server, ana, 'Club', [ben.id]);
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);
    const caraWs = await ChatClient.connect(server, cara);
    await caraWs.joinUser();
    // Not yet a member: refused.
    expect(await caraWs.tryJoinRoom(room.id)).toBe('reject_subscription');

    const byMember = await api(
      server,
      'POST',
      `/api/rooms/${room.id}/members`,
      { members: [cara.id] },
      ben.token,
    );
    expect(byMember.status).toBe(403);
    expect(codeOf(byMember.body)).toBe('FORBIDDEN');

    const newcomerPhone = testPhone();
    const after = await ok<{ room: RoomDetail }>(
      server,
      'POST',
      `/api/rooms/${room.id}/members`,
      { members: [cara.phone, newcomerPhone, ben.id] },
      ana.token,
    );
    expect(after.room.members.map((m) => m.phone).sort()).toEqual(
      [ana.phone, ben.phone, cara.phone, newcomerPhone].sort(),
    );
    const announced = [
      await benWs.roomEvent(room.id, 'member_added'),
      await benWs.roomEvent(room.id, 'member_added'),
    ];
    expect(announced.map((e) => e.member.phone).sort()).toEqual([cara.phone, newcomerPhone].sort());
    expect(announced.every((e) => e.room_id === room.id && e.member.role === 'member')).toBe(true);
    const toCara = await caraWs.userEvent('room_added', (e) => e.room.id === room.id);
    expect(toCara.room).toMatchObject({ name: 'Club', kind: 'group', role: 'member' });
    expect(await caraWs.tryJoinRoom(room.id)).toBe('confirm_subscription');

    // Adding someone already in the room changes nothing and announces nothing.
    await ok(server, 'POST', `/api/rooms/${room.id}/members`, { members: [ben.id] }, ana.token);
    const unknown = await api(
      server,
      'POST',
      `/api/rooms/${room.id}/members`,
      { members: ['nobody'] },
      ana.token,
    );
    expect(unknown.status).toBe(404);
    expect(codeOf(unknown.body)).toBe('USER_NOT_FOUND');

    const newcomer = await person(server, 'Dan', newcomerPhone);
    expect(await summaryOf(server, newcomer, room.id)).toMatchObject({
      name: 'Club',
      role: 'member',
    });
    expect((await membersOf(server, newcomer.token, room.id)).length).toBe(4);
    // No second member_added arrived for Ben (the repeat add). Absence cannot be awaited: a
    // short window after a barrier round trip, which proves the server wrote all it had.
    await benWs.raw.barrier();
    expect(benWs.takeRoom(room.id).filter((e) => e.type === 'member_added')).toEqual([]);
    benWs.close();
    caraWs.close();
  });

  it('an admin removes a member: their subscription ends at once and they hear room_removed', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const room = await createGroup(server, ana, 'Club', [ben.id, cara.id]);
    const [a, b, c] = await Promise.all([ana, ben, cara].map((p) => ChatClient.connect(server, p)));
    const [anaWs, benWs, caraWs] = [a!, b!, c!];
    await Promise.all([anaWs, benWs, caraWs].map((x) => x.joinRoom(room.id)));
    await caraWs.joinUser();

    const byMember = await api(
      server,
      'DELETE',
      `/api/rooms/${room.id}/members/${cara.id}`,
      undefined,
      ben.token,
    );
    expect(byMember.status).toBe(403);

    const res = await api(
      server,
      'DELETE',
      `/api/rooms/${room.id}/members/${cara.id}`,
      undefined,
      ana.token,
    );
    expect(res.status).toBe(204);
    await caraWs.raw.nextFrame(
      (f) => f.type === 'reject_subscription' && f.identifier === roomIdentifier(room.id),
    );
    await caraWs.userEvent('room_removed', (e) => e.room_id === room.id);
    const removed = await benWs.roomEvent(room.id, 'member_removed');
    expect(removed).toEqual({ type: 'member_removed', room_id: room.id, user_id: cara.id });

    // Messages after the removal reach the others, never Cara; her actions are refused.
    anaWs.speak(room.id, 'after Cara left', 'after-1');
    await benWs.message(room.id, 'after-1');
    caraWs.speak(room.id, 'let me in', 'cara-x');
    const refused = await caraWs.raw.nextFrame(
      (f) => f.identifier === roomIdentifier(room.id) && f.type === undefined,
    );
    expect(refused.message).toMatchObject({ type: 'error' });
    await caraWs.raw.barrier();
    expect(caraWs.takeRoom(room.id).filter((e) => e.type === 'message')).toEqual([]);
    expect(await caraWs.tryJoinRoom(room.id)).toBe('reject_subscription');
    expect(await summaryOf(server, cara, room.id)).toBeUndefined();
    expect((await history(server, ana, room.id)).map((m) => m.client_id)).toEqual(['after-1']);
    // Removing her again: she is not there.
    const again = await api(
      server,
      'DELETE',
      `/api/rooms/${room.id}/members/${cara.id}`,
      undefined,
      ana.token,
    );
    expect(again.status).toBe(404);
    for (const x of [anaWs, benWs, caraWs]) x.close();
  });

  it('anyone leaves with "me"; when the owner leaves the longest-standing member becomes owner', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const room = await createGroup(server, ana, 'Club', [ben.id]);
    // Cara joins later than Ben, so Ben has stood longer.
    await ok(server, 'POST', `/api/rooms/${room.id}/members`, { members: [cara.id] }, ana.token);
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);

    const leave = await api(
      server,
      'DELETE',
      `/api/rooms/${room.id}/members/me`,
      undefined,
      ana.token,
    );
    expect(leave.status).toBe(204);
    const gone = await benWs.roomEvent(room.id, 'member_removed');
    expect(gone.user_id).toBe(ana.id);
    const members = await membersOf(server, ben.token, room.id);
    expect(members.map((m) => [m.id, m.role])).toEqual([
      [ben.id, 'owner'],
      [cara.id, 'member'],
    ]);
    expect(await summaryOf(server, ana, room.id)).toBeUndefined();
    const anaLooks = await api(server, 'GET', `/api/rooms/${room.id}`, undefined, ana.token);
    expect(anaLooks.status).toBe(404);

    // The new owner can do what owners do; Cara leaves by her own id.
    await ok(server, 'PATCH', `/api/rooms/${room.id}`, { name: 'Ben’s club' }, ben.token);
    const caraLeaves = await api(
      server,
      'DELETE',
      `/api/rooms/${room.id}/members/${cara.id}`,
      undefined,
      cara.token,
    );
    expect(caraLeaves.status).toBe(204);
    expect((await membersOf(server, ben.token, room.id)).map((m) => m.id)).toEqual([ben.id]);
    benWs.close();
  });

  it('admins rename; everyone in the room hears room_renamed; members and bad names are refused', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await createGroup(server, ana, 'Old', [ben.id]);
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);

    const renamed = await ok<{ room: RoomDetail }>(
      server,
      'PATCH',
      `/api/rooms/${room.id}`,
      { name: ' New name ' },
      ana.token,
    );
    expect(renamed.room.name).toBe('New name');
    expect(await benWs.roomEvent(room.id, 'room_renamed')).toEqual({
      type: 'room_renamed',
      room_id: room.id,
      name: 'New name',
    });
    expect((await summaryOf(server, ben, room.id))?.name).toBe('New name');

    const byMember = await api(
      server,
      'PATCH',
      `/api/rooms/${room.id}`,
      { name: 'Mine' },
      ben.token,
    );
    expect(byMember.status).toBe(403);
    for (const bad of [
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { name: 5 },
      {},
      { name: 'ok', kind: 'direct' },
    ]) {
      const res = await api(server, 'PATCH', `/api/rooms/${room.id}`, bad, ana.token);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await summaryOf(server, ben, room.id))?.name).toBe('New name');
    benWs.close();
  });
});
