import type { MemberView, RoomDetail } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { PRESENCE_ROOM_LIMIT } from '../../src/chat/presence.service.js';
import { startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { ChatClient, createGroup, history, ok, openDm, person, summaryOf } from './chat-client.js';

describe('typing', () => {
  it('is seen by the other side, throttled to one per 2 s per person, and never stored', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const dm = await openDm(server, ana, { phone: ben.phone });
    const anaWs = await ChatClient.connect(server, ana);
    const benWs = await ChatClient.connect(server, ben);
    await anaWs.joinRoom(dm.id);
    await benWs.joinRoom(dm.id);
    const lastActivity = (await summaryOf(server, ben, dm.id))?.last_activity_at;

    const t0 = Date.now();
    anaWs.perform(dm.id, 'typing');
    const typing = await benWs.roomEvent(dm.id, 'typing');
    expect(typing).toEqual({
      type: 'typing',
      room_id: dm.id,
      user: { id: ana.id, name: 'Ana' },
      expires_in_ms: 5000,
    });
    // Ben typing is his own notice, not throttled by Ana's.
    benWs.perform(dm.id, 'typing', { user: { id: ana.id } });
    expect((await anaWs.roomEvent(dm.id, 'typing', (e) => e.user.id === ben.id)).user.name).toBe(
      'Ben',
    );

    // Keystrokes inside the window broadcast nothing more: each round trip (barrier) proves the
    // action was handled before we look.
    for (let i = 0; i < 5; i++) anaWs.perform(dm.id, 'typing');
    await anaWs.raw.barrier();
    await benWs.raw.barrier();
    expect(
      benWs.takeRoom(dm.id).filter((e) => e.type === 'typing' && e.user.id === ana.id),
    ).toEqual([]);

    // Past the window, the next keystroke is broadcast again (polled with a deadline).
    const again = await waitFor(
      'a typing notice after the throttle window',
      async () => {
        anaWs.perform(dm.id, 'typing');
        await anaWs.raw.barrier();
        await benWs.raw.barrier();
        return benWs.takeRoom(dm.id).find((e) => e.type === 'typing' && e.user.id === ana.id);
      },
      5000,
      100,
    );
    expect(again).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);

    // Nothing of it was stored, and it is not "activity".
    expect(await history(server, ben, dm.id)).toEqual([]);
    expect(await summaryOf(server, ben, dm.id)).toMatchObject({
      last_seq: 0,
      last_activity_at: lastActivity,
    });
    anaWs.close();
    benWs.close();
  });
});

describe('presence', () => {
  it('goes to the rooms the user is in, with last_seen_at after the last connection closes', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const eve = await person(server, 'Eve');
    const dm = await openDm(server, ana, { phone: ben.phone });
    const eveRoom = await createGroup(server, eve, 'Eve alone', []);
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(dm.id);
    const eveWs = await ChatClient.connect(server, eve);
    await eveWs.joinRoom(eveRoom.id);
    const isAna = (e: { users: { user_id: string }[] }) =>
      e.users.some((u) => u.user_id === ana.id);

    const anaPhone = await ChatClient.connect(server, ana);
    const online = await benWs.roomEvent(dm.id, 'presence', isAna);
    // Changes within one window travel together (Ben's own arrival may share the event).
    expect(online.room_id).toBe(dm.id);
    expect(online.users).toContainEqual({ user_id: ana.id, online: true, last_seen_at: null });
    expect((await summaryOf(server, ben, dm.id))?.other).toMatchObject({
      id: ana.id,
      online: true,
    });
    const detail = await ok<{ room: RoomDetail }>(
      server,
      'GET',
      `/api/rooms/${dm.id}`,
      undefined,
      ben.token,
    );
    expect(detail.room.members.find((m: MemberView) => m.id === ana.id)?.online).toBe(true);

    // A second device, then the first one closing: still online, so nothing is announced.
    const anaLaptop = await ChatClient.connect(server, ana);
    anaPhone.close();
    await anaPhone.raw.waitClosed();
    await anaLaptop.joinRoom(dm.id);

    const startedAt = Date.now();
    anaLaptop.close();
    const offline = await benWs.roomEvent(dm.id, 'presence', isAna);
    const change = offline.users.find((u) => u.user_id === ana.id)!;
    expect(change.online).toBe(false);
    expect(change.last_seen_at).not.toBeNull();
    const seenAt = Date.parse(change.last_seen_at!);
    expect(seenAt).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(seenAt).toBeLessThanOrEqual(Date.now());
    // The list shows it too.
    const other = (await summaryOf(server, ben, dm.id))?.other;
    expect(other).toMatchObject({ online: false, last_seen_at: change.last_seen_at });

    // Ben heard Ana go online once and offline once, never in between.
    await benWs.raw.barrier();
    expect(
      benWs.raw.received.filter((f) => {
        const m = f.message as { type?: string; users?: { user_id: string }[] } | undefined;
        return m?.type === 'presence' && (m.users ?? []).some((u) => u.user_id === ana.id);
      }).length,
    ).toBe(2);
    // Eve shares no room with Ana. Absence cannot be awaited: by now Ben has heard both
    // changes, which were published together with anything Eve's room could have been sent, and
    // a short window (200 ms) covers delivery to a second socket.
    await eveWs.expectNothing((f) => {
      const m = f.message as { type?: string; users?: { user_id: string }[] } | undefined;
      return m?.type === 'presence' && (m.users ?? []).some((u) => u.user_id === ana.id);
    }, 200);
    benWs.close();
    eveWs.close();
  });
});

describe('presence in large rooms', () => {
  it(`is not pushed to rooms of more than ${String(PRESENCE_ROOM_LIMIT)} members`, async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const dm = await openDm(server, ana, { phone: ben.phone });
    const big = await createGroup(server, ana, 'Everyone', [ben.phone]);
    // Fill the group past the limit directly: signing 200 people in adds nothing to this test.
    const now = Date.now();
    const extra = Array.from({ length: PRESENCE_ROOM_LIMIT }, (_, i) => ({
      id: `filler-${String(i)}`,
      phone: `+1415777${String(i).padStart(4, '0')}`,
    }));
    await server.salon.db
      .insertInto('users')
      .values(extra.map((u) => ({ ...u, name: null, created_at: now, last_seen_at: null })))
      .execute();
    await server.salon.db
      .insertInto('memberships')
      .values(
        extra.map((u) => ({
          room_id: big.id,
          user_id: u.id,
          role: 'member' as const,
          joined_at: now,
        })),
      )
      .execute();

    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(dm.id);
    await benWs.joinRoom(big.id);
    const isAna = (e: { users: { user_id: string }[] }) =>
      e.users.some((u) => u.user_id === ana.id);
    const anaWs = await ChatClient.connect(server, ana);
    // The DM hears Ana arrive; the big room, announced in the same flush if at all, does not.
    await benWs.roomEvent(dm.id, 'presence', isAna);
    await benWs.raw.barrier();
    expect(
      benWs.raw.received.filter((f) => {
        const m = f.message as { type?: string; room_id?: string } | undefined;
        return m?.type === 'presence' && m.room_id === big.id;
      }),
    ).toEqual([]);
    // The member list still shows who is online.
    const members = await ok<{ members: MemberView[] }>(
      server,
      'GET',
      `/api/rooms/${big.id}/members`,
      undefined,
      ben.token,
    );
    expect(members.members.find((m) => m.id === ana.id)?.online).toBe(true);
    anaWs.close();
    benWs.close();
  });
});
