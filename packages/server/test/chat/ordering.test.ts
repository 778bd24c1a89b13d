import { PROTOCOL_EXT, type MessageView } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import { ChatClient, createGroup, history, person, postMessage } from './chat-client.js';

describe('concurrent senders', () => {
  it('keep seq gap-free, and every receiver sees the same order', async () => {
    const server = await startTestServer();
    const people = await Promise.all(['Ana', 'Ben', 'Cara'].map((n) => person(server, n)));
    const [ana, ben, cara] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    const room = await createGroup(server, ana, 'Busy', [ben.id, cara.id]);
    // Six connections: each person on two devices, one of each pair on the ext protocol.
    const clients = await Promise.all(
      people.flatMap((p) => [
        ChatClient.connect(server, p),
        ChatClient.connect(server, p, PROTOCOL_EXT),
      ]),
    );
    await Promise.all(clients.map((c) => c.joinRoom(room.id)));

    const PER_CLIENT = 25;
    const HTTP_SENDS = 15;
    clients.forEach((c, ci) => {
      for (let i = 0; i < PER_CLIENT; i++)
        c.speak(room.id, `c${String(ci)} #${String(i)}`, `c${String(ci)}-${String(i)}`);
    });
    // HTTP senders at the same time, through the same job.
    const viaHttp = Promise.all(
      Array.from({ length: HTTP_SENDS }, (_, i) =>
        postMessage(server, people[i % 3]!, room.id, `http #${String(i)}`, `http-${String(i)}`),
      ),
    );
    const total = clients.length * PER_CLIENT + HTTP_SENDS;

    const seenBy = await Promise.all(
      clients.map(async (c) => {
        const got: MessageView[] = [];
        while (got.length < total)
          got.push((await c.roomEvent(room.id, 'message', () => true, 10_000)).message);
        return got;
      }),
    );
    await viaHttp;

    const reference = seenBy[0]!;
    // From 2: the group's "created" event is seq 1.
    expect(reference.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 2));
    for (const seen of seenBy) expect(seen.map((m) => m.id)).toEqual(reference.map((m) => m.id));
    // Each connection's own messages keep the order they were sent in.
    clients.forEach((_, ci) => {
      const mine = reference
        .filter((m) => m.client_id.startsWith(`c${String(ci)}-`))
        .map((m) => m.client_id);
      expect(mine).toEqual(
        Array.from({ length: PER_CLIENT }, (_, i) => `c${String(ci)}-${String(i)}`),
      );
    });
    // History agrees, page by page.
    const stored = [...(await history(server, cara, room.id, '?after=0&limit=200'))];
    expect(stored.map((m) => m.id)).toEqual(reference.map((m) => m.id));
    for (const c of clients) c.close();
  });
});
