import { describe, expect, it } from 'vitest';
import { api, startTestServer } from '../helpers/salon-server.js';
import {
  acceptedDm,
  ChatClient,
  createGroup,
  ok,
  openDm,
  person,
  postMessage,
  roomIdentifier,
  roomsOf,
  summaryOf,
} from './chat-client.js';

const read = (s: Parameters<typeof ok>[0], token: string, roomId: string, seq: unknown) =>
  api(s, 'POST', `/api/rooms/${roomId}/read`, { seq }, token);

describe('unread counts and read receipts', () => {
  it('counts others’ messages only; read moves forward only and never past the last seq', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const dm = await openDm(server, ana, { phone: ben.phone });
    for (let i = 1; i <= 3; i++)
      await postMessage(server, ana, dm.id, `a${String(i)}`, `a${String(i)}`);
    await postMessage(server, ben, dm.id, 'b1', 'b1'); // seq 4: Ben has now read up to 4 by sending
    await postMessage(server, ana, dm.id, 'a4', 'a4'); // seq 5

    expect(await summaryOf(server, ana, dm.id)).toMatchObject({
      unread_count: 0,
      last_read_seq: 5,
      last_seq: 5,
    });
    expect(await summaryOf(server, ben, dm.id)).toMatchObject({
      unread_count: 1,
      last_read_seq: 4,
    });

    // Backwards: no change.
    expect((await read(server, ben.token, dm.id, 2)).body).toEqual({ last_read_seq: 4 });
    // Past the end: clamped to the last seq.
    expect((await read(server, ben.token, dm.id, 999)).body).toEqual({ last_read_seq: 5 });
    expect(await summaryOf(server, ben, dm.id)).toMatchObject({
      unread_count: 0,
      last_read_seq: 5,
    });
    // A later message is unread although Ben "read" up to 999 earlier.
    await postMessage(server, ana, dm.id, 'a5', 'a5');
    expect(await summaryOf(server, ben, dm.id)).toMatchObject({
      unread_count: 1,
      last_read_seq: 5,
      last_seq: 6,
    });
    expect((await read(server, ben.token, dm.id, 0)).body).toEqual({ last_read_seq: 5 });

    for (const bad of [-1, 1.5, '3', null, 'x'.repeat(10)]) {
      const res = await read(server, ben.token, dm.id, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const extra = await api(
      server,
      'POST',
      `/api/rooms/${dm.id}/read`,
      { seq: 6, user_id: ana.id },
      ben.token,
    );
    expect(extra.status).toBe(400);
    expect((await summaryOf(server, ben, dm.id))?.unread_count).toBe(1);
  });

  it('the conversation list shows the last message and unread counts, newest activity first', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const dmBen = await openDm(server, ana, { user_id: ben.id });
    const group = await createGroup(server, cara, 'Group', [ana.id, ben.id]);
    const dmCara = await openDm(server, cara, { user_id: ana.id });
    await postMessage(server, ben, dmBen.id, 'hey', 'x1');
    await postMessage(server, cara, group.id, 'g1', 'g1');
    await postMessage(server, ben, group.id, 'g2', 'g2');
    // Newest activity: the group, then the Ben DM; the Cara DM is empty and older than both.
    const list = await roomsOf(server, ana);
    expect(list.map((r) => r.id)).toEqual([group.id, dmBen.id, dmCara.id]);
    expect(list.map((r) => r.unread_count)).toEqual([2, 1, 0]);
    expect(list[0]).toMatchObject({
      kind: 'group',
      name: 'Group',
      other: null,
      last_message: { body: 'g2', sender: { id: ben.id } },
    });
    expect(list[1]).toMatchObject({
      kind: 'direct',
      name: 'Ben',
      other: { id: ben.id, name: 'Ben' },
    });
    expect(list[2]).toMatchObject({ last_message: null, last_seq: 0, name: 'Cara' });
    // A new message moves a room to the top.
    await postMessage(server, cara, dmCara.id, 'top', 'top');
    expect((await roomsOf(server, ana))[0]?.id).toBe(dmCara.id);
  });

  it('a read receipt reaches the room and the reader’s other devices', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const dm = await acceptedDm(server, ana, ben);
    for (let i = 1; i <= 3; i++)
      await postMessage(server, ana, dm.id, `m${String(i)}`, `m${String(i)}`);

    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(dm.id);
    const benPhone = await ChatClient.connect(server, ben);
    const benLaptop = await ChatClient.connect(server, ben);
    await benPhone.joinRoom(dm.id);
    await benLaptop.joinUser();

    benPhone.perform(dm.id, 'read', { seq: 2 });
    const seen = { type: 'read', room_id: dm.id, user_id: ben.id, seq: 2 };
    expect(await anaWs.roomEvent(dm.id, 'read')).toEqual(seen);
    expect(await benLaptop.userEvent('read')).toEqual(seen);
    expect(await summaryOf(server, ben, dm.id)).toMatchObject({
      last_read_seq: 2,
      unread_count: 1,
    });

    // Over HTTP from the laptop: the phone's room subscription hears it too.
    await ok(server, 'POST', `/api/rooms/${dm.id}/read`, { seq: 3 }, ben.token);
    expect(await benLaptop.userEvent('read')).toMatchObject({ seq: 3 });
    expect(await benPhone.roomEvent(dm.id, 'read', (e) => e.seq === 3)).toMatchObject({
      user_id: ben.id,
    });

    // A read that changes nothing (backwards, or repeated) broadcasts nothing.
    benPhone.perform(dm.id, 'read', { seq: 1 });
    benPhone.perform(dm.id, 'read', { seq: 3 });
    await benPhone.raw.barrier(); // both reads are handled once this round trip completes
    await anaWs.raw.barrier();
    expect(anaWs.takeRoom(dm.id).filter((e) => e.type === 'read' && e.seq !== 2)).toEqual([
      { type: 'read', room_id: dm.id, user_id: ben.id, seq: 3 },
    ]);
    await benLaptop.raw.barrier();
    expect(
      benLaptop.raw.take((f) => f.identifier !== roomIdentifier(dm.id) && f.type === undefined),
    ).toEqual([]);

    // Bad read data over the cable: an error frame, no change.
    benPhone.perform(dm.id, 'read', { seq: -5 });
    expect(await benPhone.roomEvent(dm.id, 'error')).toMatchObject({
      code: 'VALIDATION_FAILED',
      action: 'read',
    });
    expect((await summaryOf(server, ben, dm.id))?.last_read_seq).toBe(3);
    for (const c of [anaWs, benPhone, benLaptop]) c.close();
  });
});
