import { describe, expect, it } from 'vitest';
import { api, startTestServer } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  acceptedDm,
  createGroup,
  history,
  person,
  postMessage,
  summaryOf,
} from './chat-client.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('history', () => {
  it('pages with before/after/limit, always in seq order', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    // A direct room: no group events between the messages, so seqs are 1…120.
    const room = await acceptedDm(server, ana, ben);
    // Over HTTP, one after another (a socket would hit the per-connection command limit).
    for (let i = 1; i <= 120; i++)
      await postMessage(server, ana, room.id, `m${String(i)}`, `m-${String(i)}`);

    const seqs = async (q: string) => (await history(server, ben, room.id, q)).map((m) => m.seq);
    // Default: the newest 50, oldest first.
    expect(await seqs('')).toEqual(range(71, 120));
    expect(await seqs('?limit=10')).toEqual(range(111, 120));
    expect(await seqs('?before=111&limit=10')).toEqual(range(101, 110));
    expect(await seqs('?before=5&limit=10')).toEqual(range(1, 4));
    expect(await seqs('?before=1')).toEqual([]);
    expect(await seqs('?after=0&limit=3')).toEqual([1, 2, 3]);
    expect(await seqs('?after=115')).toEqual(range(116, 120));
    expect(await seqs('?after=120')).toEqual([]);
    expect(await seqs('?after=1000')).toEqual([]);
    expect(await seqs('?limit=200')).toEqual(range(1, 120));

    // Walking back page by page from the end gives everything once.
    const walked: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await seqs(
        `?limit=37${before === undefined ? '' : `&before=${String(before)}`}`,
      );
      if (page.length === 0) break;
      walked.unshift(...page);
      before = page[0];
    }
    expect(walked).toEqual(range(1, 120));
    const one = (await history(server, ben, room.id, '?after=41&limit=1'))[0];
    expect(one).toMatchObject({ seq: 42, body: 'm42', sender: { id: ana.id, name: 'Ana' } });
  });

  it('refuses bad query values with 400', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Q', []);
    await postMessage(server, ana, room.id, 'one', 'one');
    for (const q of [
      '?limit=0',
      '?limit=201',
      '?limit=-1',
      '?limit=abc',
      '?limit=1.5',
      '?before=0',
      '?before=-3',
      '?before=x',
      '?after=-1',
      '?after=1e400',
      '?before=2&after=1',
      '?since=1',
      '?limit=10&limit=20',
    ]) {
      const res = await api(
        server,
        'GET',
        `/api/rooms/${room.id}/messages${q}`,
        undefined,
        ana.token,
      );
      expect(res.status, q).toBe(400);
      expect(codeOf(res.body), q).toBe('VALIDATION_FAILED');
    }
  });

  it('survives a server restart: same messages, same order, same unread counts, seq carries on', async () => {
    let server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await acceptedDm(server, ana, ben);
    for (let i = 1; i <= 5; i++)
      await postMessage(server, ana, room.id, `before ${String(i)}`, `b-${String(i)}`);
    await api(server, 'POST', `/api/rooms/${room.id}/read`, { seq: 2 }, ben.token);
    const before = await history(server, ben, room.id);

    server = await server.restart();
    expect(await history(server, ben, room.id)).toEqual(before);
    expect(await summaryOf(server, ben, room.id)).toMatchObject({
      last_seq: 5,
      unread_count: 3,
      last_read_seq: 2,
    });
    expect((await summaryOf(server, ana, room.id))?.unread_count).toBe(0);

    // Sessions survived too; the next message takes seq 6 and a repeated client_id still dedups.
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);
    expect((await postMessage(server, ana, room.id, 'again', 'b-5', 200)).seq).toBe(5);
    benWs.speak(room.id, 'after restart', 'after-1');
    expect((await benWs.message(room.id, 'after-1')).seq).toBe(6);
    expect((await history(server, ana, room.id)).map((m) => m.body)).toEqual([
      ...before.map((m) => m.body),
      'after restart',
    ]);
    benWs.close();
  });
});
