import type { MemberView, RoomDetail } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  ChatClient,
  acceptedDm,
  createGroup,
  history,
  ok,
  openDm,
  person,
  summaryOf,
} from './chat-client.js';

describe('typing', () => {
  it('is seen by the other side, throttled to one per 2 s per person, and never stored', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const dm = await acceptedDm(server, ana, ben);
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
  it('goes to the user’s accepted direct rooms, with last_seen_at after the last connection closes', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const eve = await person(server, 'Eve');
    const dm = await acceptedDm(server, ana, ben);
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

describe('presence is private', () => {
  // Presence shows only between two people who both accepted their direct conversation: not in
  // groups (where it would also cost members² deliveries in a reconnect storm), not to the sender
  // of a request not yet accepted, and not after a block.
  it('is not pushed to groups, nor across a request, nor after a block', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cleo = await person(server, 'Cleo');
    const dan = await person(server, 'Dan');
    const group = await createGroup(server, ana, 'Everyone', [ben.id, dan.id]);
    // Cleo shares no room with Ana: her DM is a request until Ana answers.
    const request = await openDm(server, cleo, { user_id: ana.id });
    expect(request.other).toMatchObject({ status: 'pending', name: null });
    const dm = await acceptedDm(server, ana, ben);

    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(dm.id);
    await benWs.joinRoom(group.id);
    const cleoWs = await ChatClient.connect(server, cleo);
    await cleoWs.joinRoom(request.id);
    const danWs = await ChatClient.connect(server, dan);
    await danWs.joinRoom(group.id);
    const isAna = (e: { users: { user_id: string }[] }) =>
      e.users.some((u) => u.user_id === ana.id);
    const anaWs = await ChatClient.connect(server, ana);
    // The DM hears Ana arrive; the group and Cleo's unanswered request, announced in the same
    // flush if at all, do not.
    await benWs.roomEvent(dm.id, 'presence', isAna);
    await benWs.raw.barrier();
    await cleoWs.raw.barrier();
    await danWs.raw.barrier();
    const presenceFrames = (c: ChatClient) =>
      c.raw.received.filter(
        (f) => (f.message as { type?: string } | undefined)?.type === 'presence',
      );
    expect(presenceFrames(benWs).map((f) => (f.message as { room_id: string }).room_id)).toEqual([
      dm.id,
    ]);
    expect(presenceFrames(cleoWs)).toEqual([]);
    expect(presenceFrames(danWs)).toEqual([]);
    // Lists show none either: in the group only for those one has an accepted DM with.
    const members = async (who: typeof ben, roomId: string) =>
      (
        await ok<{ members: MemberView[] }>(
          server,
          'GET',
          `/api/rooms/${roomId}/members`,
          undefined,
          who.token,
        )
      ).members.find((m) => m.id === ana.id);
    expect(await members(ben, group.id)).toMatchObject({ online: true });
    expect(await members(dan, group.id)).toMatchObject({ online: false, last_seen_at: null });
    expect((await summaryOf(server, cleo, request.id))?.other).toMatchObject({
      online: false,
      last_seen_at: null,
    });

    // Ben blocks Ana: he leaves their DM, and presence stops both ways.
    await ok(server, 'POST', '/api/blocks', { user_id: ana.id }, ben.token, 204);
    expect(await members(ben, group.id)).toMatchObject({ online: false, last_seen_at: null });
    anaWs.close();
    await anaWs.raw.waitClosed();
    await benWs.expectNothing(
      (f) => (f.message as { type?: string } | undefined)?.type === 'presence',
      300,
    );
    benWs.close();
    cleoWs.close();
    danWs.close();
  });
});
