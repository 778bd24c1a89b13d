import { describe, expect, it } from 'vitest';
import { api, startTestServer, testPhone } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  createGroup,
  history,
  openDm,
  person,
  roomsOf,
  summaryOf,
} from './chat-client.js';

/**
 * The "Done when": two new people sign in, one starts a DM by the other's phone, they
 * exchange messages both ways, a third joins a group with them, the server restarts, and all of
 * it is still there in order with correct unread counts, and nobody outside a room can read or
 * write it.
 */
describe('done when', () => {
  it('DM both ways, a group of three, a restart: all still there, in order, unread right, private', async () => {
    let server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');

    // Ana starts a DM by Ben's phone; they talk both ways in real time.
    const dm = await openDm(server, ana, { phone: ben.phone });
    const anaWs = await ChatClient.connect(server, ana);
    const benWs = await ChatClient.connect(server, ben);
    await Promise.all([anaWs.joinRoom(dm.id), benWs.joinRoom(dm.id), benWs.joinUser()]);
    anaWs.speak(dm.id, 'Hi Ben, it’s Ana', 'ana-1');
    expect((await benWs.message(dm.id, 'ana-1')).seq).toBe(1);
    benWs.speak(dm.id, 'Hi Ana!', 'ben-1');
    expect((await anaWs.message(dm.id, 'ben-1')).seq).toBe(2);
    anaWs.speak(dm.id, 'Let’s plan the trip with Cara', 'ana-2');
    await benWs.message(dm.id, 'ana-2');
    benWs.perform(dm.id, 'read', { seq: 3 });
    await anaWs.roomEvent(dm.id, 'read', (e) => e.user_id === ben.id && e.seq === 3);

    // A third person joins a group with them (added by phone, signs in afterwards).
    const caraPhone = testPhone();
    const group = await createGroup(server, ana, 'Trip', [ben.id, caraPhone]);
    await benWs.userEvent('room_added', (e) => e.room.id === group.id);
    const cara = await person(server, 'Cara', caraPhone);
    const caraWs = await ChatClient.connect(server, cara);
    await Promise.all([
      anaWs.joinRoom(group.id),
      benWs.joinRoom(group.id),
      caraWs.joinRoom(group.id),
    ]);
    const groupLines: [ChatClient, string, string][] = [
      [anaWs, 'Welcome Cara', 'g-ana-1'],
      [caraWs, 'Thanks! Where to?', 'g-cara-1'],
      [benWs, 'Lisbon', 'g-ben-1'],
      [caraWs, 'Perfect', 'g-cara-2'],
    ];
    for (const [from, body, clientId] of groupLines) {
      from.speak(group.id, body, clientId);
      for (const c of [anaWs, benWs, caraWs]) await c.message(group.id, clientId);
    }
    // Ana reads the group up to Ben's "Lisbon" (seq 4: the group's "created" event is seq 1);
    // Ben reads nothing more; Cara wrote last.
    anaWs.perform(group.id, 'read', { seq: 4 });
    await caraWs.roomEvent(group.id, 'read', (e) => e.user_id === ana.id);
    for (const c of [anaWs, benWs, caraWs]) c.close();

    const expectedDm = [
      [1, ana.id, 'Hi Ben, it’s Ana'],
      [2, ben.id, 'Hi Ana!'],
      [3, ana.id, 'Let’s plan the trip with Cara'],
    ];
    const expectedGroup = [
      [2, ana.id, 'Welcome Cara'],
      [3, cara.id, 'Thanks! Where to?'],
      [4, ben.id, 'Lisbon'],
      [5, cara.id, 'Perfect'],
    ];
    const unreadBefore = {
      ana: (await roomsOf(server, ana)).map((r) => [r.id, r.unread_count]),
      ben: (await roomsOf(server, ben)).map((r) => [r.id, r.unread_count]),
      cara: (await roomsOf(server, cara)).map((r) => [r.id, r.unread_count]),
    };

    server = await server.restart();

    const lines = async (who: typeof ana, roomId: string) =>
      (await history(server, who, roomId)).map((m) => [m.seq, m.sender.id, m.body]);
    for (const who of [ana, ben]) expect(await lines(who, dm.id)).toEqual(expectedDm);
    for (const who of [ana, ben, cara]) expect(await lines(who, group.id)).toEqual(expectedGroup);

    // Unread: Ana read the DM by writing its last line and the group up to 4 (Cara's "Perfect"
    // is unread); Ben read the DM, and in the group wrote seq 4 (so read to 4): Cara's line
    // unread; Cara wrote the last group line.
    expect(await summaryOf(server, ana, dm.id)).toMatchObject({ unread_count: 0, last_seq: 3 });
    expect(await summaryOf(server, ana, group.id)).toMatchObject({ unread_count: 1, last_seq: 5 });
    expect(await summaryOf(server, ben, dm.id)).toMatchObject({ unread_count: 0 });
    expect(await summaryOf(server, ben, group.id)).toMatchObject({ unread_count: 1 });
    expect(await summaryOf(server, cara, group.id)).toMatchObject({
      unread_count: 0,
      name: 'Trip',
    });
    expect(await summaryOf(server, cara, dm.id)).toBeUndefined();
    expect({
      ana: (await roomsOf(server, ana)).map((r) => [r.id, r.unread_count]),
      ben: (await roomsOf(server, ben)).map((r) => [r.id, r.unread_count]),
      cara: (await roomsOf(server, cara)).map((r) => [r.id, r.unread_count]),
    }).toEqual(unreadBefore);
    // Newest activity first: the group, then the DM.
    expect((await roomsOf(server, ana)).map((r) => r.id)).toEqual([group.id, dm.id]);

    // Nobody outside a room reads or writes it: Cara and the DM, a stranger and both rooms.
    const eve = await person(server, 'Eve');
    for (const [who, roomId] of [
      [cara, dm.id],
      [eve, dm.id],
      [eve, group.id],
    ] as const) {
      const read = await api(server, 'GET', `/api/rooms/${roomId}/messages`, undefined, who.token);
      expect(read.status).toBe(404);
      expect(codeOf(read.body)).toBe('ROOM_NOT_FOUND');
      const write = await api(
        server,
        'POST',
        `/api/rooms/${roomId}/messages`,
        { body: 'hi', client_id: 'x' },
        who.token,
      );
      expect(write.status).toBe(404);
      const ws = await ChatClient.connect(server, who);
      expect(await ws.tryJoinRoom(roomId)).toBe('reject_subscription');
      ws.close();
    }
    // After the restart, the conversation carries on where it was.
    const benAgain = await ChatClient.connect(server, ben);
    await benAgain.joinRoom(group.id);
    benAgain.speak(group.id, 'Booked!', 'g-ben-2');
    expect((await benAgain.message(group.id, 'g-ben-2')).seq).toBe(6);
    expect(await lines(cara, group.id)).toEqual([...expectedGroup, [6, ben.id, 'Booked!']]);
    benAgain.close();
  });
});
