import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/helpers/salon-server.js';
import {
  connected,
  person,
  storedSeqs,
  strictlyIncreasing,
  waitFor,
  threeConnected,
  texts,
} from './helpers/sdk.js';

describe('optimistic sends', () => {
  it('shows a message as sending at once, then sent with its seq when the broadcast arrives', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const anaC = await connected(server, ana);
    const benC = await connected(server, ben);
    const dm = await anaC.openDm({ phone: ben.phone });
    const benConv = benC.conversation(dm.id);

    // Sent the moment the conversation opens: before its history or its feed is there.
    const conv = anaC.conversation(dm.id);
    const pending = conv.send('  hello Ben  ');
    expect(pending).toMatchObject({
      id: `pending:${pending.client_id}`,
      seq: 0,
      status: 'sending',
      body: 'hello Ben',
      sender: { id: ana.user.id },
      room_id: dm.id,
    });
    expect(conv.messages).toEqual([pending]);

    const sent = await waitFor(() => conv.messages.find((m) => m.status === 'sent'));
    expect(sent).toMatchObject({ client_id: pending.client_id, seq: 1, body: 'hello Ben' });
    expect(sent.id).not.toMatch(/^pending:/);
    expect(conv.messages).toHaveLength(1);
    expect(sent.error).toBeUndefined();

    await waitFor(() => benConv.messages.length === 1);
    expect(benConv.messages[0]).toMatchObject({
      id: sent.id,
      seq: 1,
      status: 'sent',
      sender: { id: ana.user.id, name: 'Ana' },
    });
  });

  it('fails invalid input with a code, and retry sends it again under the same client_id', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const anaC = await connected(server, ana);
    const dm = await anaC.openDm({ phone: ben.phone });
    const conv = anaC.conversation(dm.id);
    await conv.load();
    const byId = (clientId: string) => conv.messages.find((m) => m.client_id === clientId);

    const blank = conv.send(' \n\t ');
    const long = conv.send('x'.repeat(4001));
    const fine = conv.send('x'.repeat(4000));
    await waitFor(() => byId(blank.client_id)?.status === 'failed');
    await waitFor(() => byId(long.client_id)?.status === 'failed');
    await waitFor(() => byId(fine.client_id)?.status === 'sent');
    expect(byId(blank.client_id)?.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(byId(blank.client_id)?.error?.message).toMatch(/empty/);
    expect(byId(long.client_id)?.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(byId(long.client_id)?.error?.message).toMatch(/4000/);
    expect(byId(long.client_id)?.seq).toBe(0);
    // Stored ones come first, then what is still unsent.
    expect(conv.messages.map((m) => m.status)).toEqual(['sent', 'failed', 'failed']);

    // A retry goes back to sending at once, keeps its identity, and the server's answer (which
    // names the client_id it was sent under) finds it again.
    const failedBefore = byId(long.client_id)!;
    conv.retry(long.client_id);
    const retrying = byId(long.client_id)!;
    expect(retrying).toMatchObject({ id: failedBefore.id, status: 'sending' });
    expect(retrying.error).toBeUndefined();
    await waitFor(() => byId(long.client_id)?.status === 'failed');
    expect(byId(long.client_id)?.error?.code).toBe(failedBefore.error?.code);
    // Retrying something not failed does nothing.
    conv.retry(fine.client_id);
    conv.retry('no-such-message');
    expect(conv.messages).toHaveLength(3);
    expect(storedSeqs(conv.messages)).toEqual([1]);
  });

  it('keeps seq order with no repeats when two people send at once', async () => {
    const server = await startTestServer();
    const { ben, cleo, anaC, benC, cleoC } = await threeConnected(server);
    const group = await anaC.createGroup('Busy', [ben.user.id, cleo.user.id]);
    await waitFor(() => benC.rooms.some((r) => r.id === group.id));
    await waitFor(() => cleoC.rooms.some((r) => r.id === group.id));
    const anaConv = anaC.conversation(group.id);
    const benConv = benC.conversation(group.id);
    const cleoConv = cleoC.conversation(group.id);
    await Promise.all([anaConv.load(), benConv.load(), cleoConv.load()]);

    const n = 25;
    for (let i = 0; i < n; i++) {
      anaConv.send(`ana ${String(i)}`);
      benConv.send(`ben ${String(i)}`);
    }
    for (const conv of [anaConv, benConv, cleoConv])
      await waitFor(
        () => texts(conv).length === 2 * n && conv.messages.every((m) => m.status === 'sent'),
        10_000,
      );
    const ids = (conv: typeof anaConv) => conv.messages.map((m) => `${String(m.seq)}:${m.id}`);
    for (const conv of [anaConv, benConv, cleoConv]) {
      const seqs = storedSeqs(texts(conv));
      // From 2: the group's "created" event is seq 1.
      expect(seqs).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 2));
      expect(strictlyIncreasing(seqs)).toBe(true);
      // Each sender's own messages in the order they were sent.
      for (const who of ['ana', 'ben'])
        expect(conv.messages.filter((m) => m.body?.startsWith(who)).map((m) => m.body)).toEqual(
          Array.from({ length: n }, (_, i) => `${who} ${String(i)}`),
        );
    }
    expect(ids(benConv)).toEqual(ids(anaConv));
    expect(ids(cleoConv)).toEqual(ids(anaConv));
    // Cleo's list counts every one as unread; the senders' lists end at the newest seq.
    await waitFor(() => cleoC.rooms.find((r) => r.id === group.id)?.unread_count === 2 * n);
    expect(anaC.rooms.find((r) => r.id === group.id)?.last_seq).toBe(2 * n + 1);
  });

  it('keeps working after the client is stopped and started again', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const anaC = await connected(server, ana);
    const benC = await connected(server, ben);
    const dm = await anaC.openDm({ phone: ben.phone });
    const conv = anaC.conversation(dm.id);
    await conv.load();
    const benConv = benC.conversation(dm.id);
    await benConv.load();
    conv.send('before');
    await waitFor(() => benConv.messages.length === 1);

    anaC.stop();
    expect(anaC.status.state).toBe('idle');
    anaC.start();
    await waitFor(() => anaC.status.state === 'connected');
    const again = anaC.conversation(dm.id);
    expect(again).toBe(conv);
    again.send('after');
    await waitFor(() => conv.messages.at(-1)?.status === 'sent');
    await waitFor(() => benConv.messages.length === 2);
    // And what Ben says reaches the restarted client live.
    benConv.send('welcome back');
    await waitFor(() => conv.messages.length === 3);
    expect(conv.messages.map((m) => [m.seq, m.body, m.status])).toEqual([
      [1, 'before', 'sent'],
      [2, 'after', 'sent'],
      [3, 'welcome back', 'sent'],
    ]);
  });
});

describe('history', () => {
  it('pages back with loadOlder until hasOlder is false: every message once, in order', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const anaC = await connected(server, ana);
    const dm = await anaC.openDm({ phone: ben.phone });
    const writer = anaC.conversation(dm.id);
    await writer.load();
    // 130 messages: the newest page (50), two older pages (50, 30).
    const total = 130;
    for (let i = 1; i <= total; i++) writer.send(`m${String(i)}`);
    await waitFor(() => writer.newestSeq === total, 15_000);

    const benC = await connected(server, ben);
    const conv = benC.conversation(dm.id);
    await conv.load();
    expect(conv.messages).toHaveLength(50);
    expect(conv.hasOlder).toBe(true);
    expect(conv.messages[0]?.seq).toBe(total - 49);
    let pages = 0;
    while (conv.hasOlder) {
      await conv.loadOlder();
      pages++;
      expect(pages).toBeLessThan(10);
    }
    expect(pages).toBe(2); // 31-80, then a short page 1-30
    const seqs = storedSeqs(conv.messages);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(conv.messages.map((m) => m.body)).toEqual(
      Array.from({ length: total }, (_, i) => `m${String(i + 1)}`),
    );
    // One more call changes nothing.
    await conv.loadOlder();
    expect(conv.messages).toHaveLength(total);
  });
});
