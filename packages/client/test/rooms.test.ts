import { describe, expect, it } from 'vitest';
import { api, signIn, startTestServer } from '../../server/test/helpers/salon-server.js';
import { connected, person, waitFor, threeConnected, threePeople } from './helpers/sdk.js';

describe('the conversation list', () => {
  it('shows DMs and groups on every side live, with last message and unread count', async () => {
    const server = await startTestServer();
    const { ana, ben, cleo, anaC, benC, cleoC } = await threeConnected(server);
    await waitFor(() => anaC.rooms.length === 0 && benC.rooms.length === 0);

    const dm = await anaC.openDm({ phone: ben.phone });
    expect(anaC.rooms.map((r) => r.id)).toEqual([dm.id]);
    expect(anaC.rooms[0]).toMatchObject({ kind: 'direct', other: { id: ben.user.id } });
    expect(anaC.rooms[0]).not.toHaveProperty('members');
    await waitFor(() => benC.rooms.some((r) => r.id === dm.id));
    expect(benC.rooms.find((r) => r.id === dm.id)).toMatchObject({
      other: { id: ana.user.id, name: 'Ana' },
      unread_count: 0,
    });
    // Opening the same DM again from the other side is the same room, listed once.
    expect((await benC.openDm({ userId: ana.user.id })).id).toBe(dm.id);
    expect(benC.rooms.filter((r) => r.id === dm.id)).toHaveLength(1);

    const group = await anaC.createGroup('Trip', [ben.user.id, cleo.phone]);
    expect(anaC.rooms.map((r) => r.id)).toContain(group.id);
    await waitFor(() => benC.rooms.some((r) => r.id === group.id));
    await waitFor(() => cleoC.rooms.some((r) => r.id === group.id));
    expect(cleoC.rooms.find((r) => r.id === group.id)).toMatchObject({
      kind: 'group',
      name: 'Trip',
    });

    // Ben and Cleo write in the group; Ana (no conversation open) sees it in her list.
    const benGroup = benC.conversation(group.id);
    await waitFor(() => benGroup.members.length === 3);
    benGroup.send('hello all');
    await waitFor(() => anaC.rooms.find((r) => r.id === group.id)?.unread_count === 1);
    const cleoGroup = cleoC.conversation(group.id);
    await cleoGroup.load();
    cleoGroup.send('hi from Cleo');
    await waitFor(() => anaC.rooms.find((r) => r.id === group.id)?.unread_count === 2);
    const summary = anaC.rooms.find((r) => r.id === group.id)!;
    expect(summary.last_message).toMatchObject({
      body: 'hi from Cleo',
      sender: { id: cleo.user.id },
    });
    // Seq 3: the group's "created" event is seq 1 (not counted as unread).
    expect(summary.last_seq).toBe(3);
    // The room with the newest activity comes first.
    expect(anaC.rooms[0]?.id).toBe(group.id);
    // For the senders it is not unread: their own messages.
    await waitFor(() => benC.rooms.find((r) => r.id === group.id)?.last_seq === 3);
    expect(benC.rooms.find((r) => r.id === group.id)?.unread_count).toBe(1);
    expect(cleoC.rooms.find((r) => r.id === group.id)?.unread_count).toBe(0);

    // A message in the DM moves the DM to the top of Ana's list.
    const benDm = benC.conversation(dm.id);
    await benDm.load();
    benDm.send('just you');
    await waitFor(() => anaC.rooms[0]?.id === dm.id);
    expect(anaC.rooms[0]).toMatchObject({ unread_count: 1, last_message: { body: 'just you' } });
  });

  it('markRead on one device clears the unread count on the same user’s other device', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const anaPhone = await connected(server, ana);
    // A second sign-in of the same number: another session, another device.
    const anaLaptop = await connected(server, await signIn(server, ana.phone));
    const benC = await connected(server, ben);
    const dm = await benC.openDm({ phone: ana.phone });
    await waitFor(() => anaPhone.rooms.length === 1 && anaLaptop.rooms.length === 1);

    const benConv = benC.conversation(dm.id);
    await benConv.load();
    for (const body of ['one', 'two', 'three']) benConv.send(body);
    await waitFor(() => anaPhone.rooms[0]?.unread_count === 3);
    await waitFor(() => anaLaptop.rooms[0]?.unread_count === 3);

    const conv = anaPhone.conversation(dm.id);
    await waitFor(() => conv.newestSeq === 3);
    conv.markRead();
    expect(conv.readUpTo(ana.user.id)).toBe(3);
    await waitFor(() => anaPhone.rooms[0]?.unread_count === 0);
    await waitFor(() => anaLaptop.rooms[0]?.unread_count === 0);
    expect(anaLaptop.rooms[0]?.last_read_seq).toBe(3);
  });

  it('leaving a group removes it from the list; the others see the member go', async () => {
    const server = await startTestServer();
    const [ana, ben, cleo] = await threePeople(server);
    const anaC = await connected(server, ana);
    const cleoC = await connected(server, cleo);
    const group = await anaC.createGroup('Book club', [ben.user.id, cleo.user.id]);
    await waitFor(() => cleoC.rooms.some((r) => r.id === group.id));
    const anaConv = anaC.conversation(group.id);
    await waitFor(() => anaConv.members.length === 3);

    await cleoC.leave(group.id);
    expect(cleoC.rooms.some((r) => r.id === group.id)).toBe(false);
    await waitFor(() => anaConv.members.length === 2);
    expect(anaConv.members.map((m) => m.id).sort()).toEqual([ana.user.id, ben.user.id].sort());
    // Ben removes nobody, but the server removing Ben (Ana, the owner) reaches Ben's list too.
    const benC = await connected(server, ben);
    await waitFor(() => benC.rooms.some((r) => r.id === group.id));
    await anaC.removeMember(group.id, ben.user.id);
    await waitFor(() => !benC.rooms.some((r) => r.id === group.id));
    // A message in the room after leaving does not bring it back.
    const sent = await api(
      server,
      'POST',
      `/api/rooms/${group.id}/messages`,
      { body: 'after you left', client_id: 'after-leave-1' },
      ana.token,
    );
    expect(sent.status).toBe(201);
    // The group's events ("created", "left") come before Ana's message.
    await waitFor(
      () => anaC.rooms.find((r) => r.id === group.id)?.last_message?.body === 'after you left',
    );
    expect(cleoC.rooms.some((r) => r.id === group.id)).toBe(false);
    expect(benC.rooms.some((r) => r.id === group.id)).toBe(false);
  });
});

describe('presence', () => {
  it('follows the DM partner going offline and back, in the list and in presence()', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const anaC = await connected(server, ana);
    const dm = await anaC.openDm({ phone: ben.phone });
    const other = () => anaC.rooms.find((r) => r.id === dm.id)?.other;
    expect(other()?.online).toBe(false);
    expect(anaC.presence(ben.user.id)?.online).toBe(false);

    // Ben comes online and accepts Ana's request: from then on, each sees the other's presence.
    const benC = await connected(server, ben);
    await waitFor(() => benC.rooms.find((r) => r.id === dm.id)?.status === 'request');
    await benC.accept(dm.id);
    await waitFor(() => other()?.online === true);
    expect(anaC.presence(ben.user.id)).toEqual({ online: true, last_seen_at: null });

    // He goes away: offline, with a last-seen time, in the list and in presence().
    benC.stop();
    await waitFor(() => other()?.online === false);
    expect(anaC.presence(ben.user.id)).toEqual({
      online: false,
      last_seen_at: expect.any(String) as unknown,
    });
    expect(other()?.last_seen_at).toEqual(anaC.presence(ben.user.id)?.last_seen_at);

    // The same client starts again: online again.
    benC.start();
    await waitFor(() => other()?.online === true);
    expect(anaC.presence(ben.user.id)?.online).toBe(true);

    // Ana's open conversation shows it on the member too.
    const conv = anaC.conversation(dm.id);
    await waitFor(() => conv.members.some((m) => m.id === ben.user.id && m.online));
    benC.stop();
    await waitFor(() => conv.members.some((m) => m.id === ben.user.id && !m.online));
    await waitFor(() => other()?.online === false);
    // And the other way round: Ben, back on another client, sees Ana online.
    const benAgain = await connected(server, ben);
    await waitFor(() => benAgain.presence(ana.user.id)?.online === true);
  });
});
