import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers/salon-server.js';
import { connected, waitFor, threeConnected, threePeople, texts } from './helpers/sdk.js';

describe('typing', () => {
  it('shows the typer to the others, clears by itself after ~5 s or when their message lands', async () => {
    const server = await startTestServer();
    const { ana, ben, cleo, anaC, benC, cleoC } = await threeConnected(server);
    const group = await anaC.createGroup('Typing', [ben.user.id, cleo.user.id]);
    await waitFor(() => benC.rooms.length === 1 && cleoC.rooms.length === 1);
    const anaConv = anaC.conversation(group.id);
    const benConv = benC.conversation(group.id);
    const cleoConv = cleoC.conversation(group.id);
    await Promise.all([anaConv.load(), benConv.load(), cleoConv.load()]);
    // Typing needs the room's feed: wait until a message goes through both ways.
    anaConv.send('ready?');
    await waitFor(() => texts(benConv).length === 1 && texts(cleoConv).length === 1);

    anaConv.typing();
    const shownAt = await waitFor(() => benConv.typingUsers.length > 0 && Date.now());
    expect(benConv.typingUsers).toEqual([{ id: ana.user.id, name: 'Ana' }]);
    await waitFor(() => cleoConv.typingUsers.length === 1);
    // Never shown to oneself.
    expect(anaConv.typingUsers).toEqual([]);

    // It ends by itself after the notice's 5 s.
    await waitFor(() => benConv.typingUsers.length === 0, 8000);
    const shownFor = Date.now() - shownAt;
    expect(shownFor).toBeGreaterThanOrEqual(4500);
    expect(shownFor).toBeLessThan(7000);
    await waitFor(() => cleoConv.typingUsers.length === 0, 1000);

    // Past the 2 s throttle, typing shows again; Ana's message then ends it at once.
    anaConv.typing();
    await waitFor(() => benConv.typingUsers.length === 1);
    const sentAt = Date.now();
    anaConv.send('done typing');
    await waitFor(() => texts(benConv).length === 2);
    expect(benConv.typingUsers).toEqual([]);
    expect(Date.now() - sentAt).toBeLessThan(3000);
  }, 20_000);
});

describe('read state', () => {
  it('readUpTo follows the other side’s markRead, in a DM and a group', async () => {
    const server = await startTestServer();
    const [ana, ben, cleo] = await threePeople(server);
    const anaC = await connected(server, ana);
    const benC = await connected(server, ben);
    const dm = await anaC.openDm({ phone: ben.phone });
    // Strangers: Ben's read marks show once he has accepted Ana's request.
    await benC.accept(dm.id);
    const anaConv = anaC.conversation(dm.id);
    const benConv = benC.conversation(dm.id);
    await Promise.all([anaConv.load(), benConv.load()]);

    anaConv.send('one');
    anaConv.send('two');
    await waitFor(() => benConv.newestSeq === 2);
    // Sending counts as having read up to one's own message; Ben has read nothing yet.
    expect(anaConv.readUpTo(ana.user.id)).toBe(2);
    expect(anaConv.readUpTo(ben.user.id)).toBe(0);

    benConv.markRead();
    expect(benConv.readUpTo(ben.user.id)).toBe(2);
    await waitFor(() => anaConv.readUpTo(ben.user.id) === 2);
    // Nothing new to read: a second markRead sends nothing and changes nothing.
    benConv.markRead();
    expect(anaConv.readUpTo(ben.user.id)).toBe(2);

    // A conversation opened later starts from the stored marks.
    const benLater = await connected(server, ben);
    const benLaterConv = benLater.conversation(dm.id);
    await waitFor(() => benLaterConv.readUpTo(ana.user.id) === 2);
    expect(benLaterConv.readUpTo(ben.user.id)).toBe(2);

    // In a group each member's mark is its own.
    const cleoC = await connected(server, cleo);
    const group = await anaC.createGroup('Reads', [ben.user.id, cleo.user.id]);
    await waitFor(() => cleoC.rooms.some((r) => r.id === group.id));
    await waitFor(() => benC.rooms.some((r) => r.id === group.id));
    const g = anaC.conversation(group.id);
    const gCleo = cleoC.conversation(group.id);
    await Promise.all([g.load(), gCleo.load()]);
    g.send('group 1');
    // Seq 2: the group's "created" event is seq 1.
    await waitFor(() => gCleo.newestSeq === 2);
    gCleo.markRead();
    await waitFor(() => g.readUpTo(cleo.user.id) === 2);
    expect(g.readUpTo(ben.user.id)).toBe(0);
    await waitFor(() => cleoC.rooms.find((r) => r.id === group.id)?.unread_count === 0);
  });
});

describe('read marks follow what was seen', () => {
  it('markRead(seq) moves the mark to that message only, never backwards', async () => {
    const server = await startTestServer();
    const [ana, ben] = await threePeople(server);
    const anaC = await connected(server, ana);
    const benC = await connected(server, ben);
    const dm = await anaC.openDm({ phone: ben.phone });
    // Read marks show once Ben has accepted Ana's request.
    await benC.accept(dm.id);
    const anaConv = anaC.conversation(dm.id);
    const benConv = benC.conversation(dm.id);
    await Promise.all([anaConv.load(), benConv.load()]);
    for (const text of ['one', 'two', 'three']) anaConv.send(text);
    await waitFor(() => benConv.newestSeq === 3);

    benConv.markRead(2);
    await waitFor(() => anaConv.readUpTo(ben.user.id) === 2);
    await waitFor(() => benC.rooms.find((r) => r.id === dm.id)?.unread_count === 1);
    benConv.markRead(1);
    expect(benConv.readUpTo(ben.user.id)).toBe(2);
    benConv.markRead(3);
    await waitFor(() => benC.rooms.find((r) => r.id === dm.id)?.unread_count === 0);
  });

  it('a member removed and added back can mark read: their old messages do not count as read', async () => {
    const server = await startTestServer();
    const { cleo, anaC, cleoC } = await threeConnected(server);
    const group = await anaC.createGroup('Back', [cleo.user.id]);
    await waitFor(() => cleoC.rooms.some((r) => r.id === group.id));
    const anaConv = anaC.conversation(group.id);
    const cleoConv = cleoC.conversation(group.id);
    await Promise.all([anaConv.load(), cleoConv.load()]);
    anaConv.send('from Ana');
    // Seq 2: the group's "created" event is seq 1.
    await waitFor(() => cleoConv.newestSeq === 2);
    cleoConv.send('from Cleo, the last word');
    await waitFor(() => anaConv.newestSeq === 3);
    cleoConv.close();

    await anaC.removeMember(group.id, cleo.user.id);
    await waitFor(() => !cleoC.rooms.some((r) => r.id === group.id));
    await anaC.addMembers(group.id, [cleo.user.id]);
    // The server starts a re-added member's mark from 0: Ana's message counts as unread again.
    await waitFor(() => cleoC.rooms.find((r) => r.id === group.id)?.unread_count === 1);

    const again = cleoC.conversation(group.id);
    await again.load();
    again.markRead();
    await waitFor(() => cleoC.rooms.find((r) => r.id === group.id)?.unread_count === 0);
    // And the server has it: a fresh list says so too.
    await cleoC.refreshRooms();
    expect(cleoC.rooms.find((r) => r.id === group.id)?.unread_count).toBe(0);
  });
});
