import { expect, onTestFinished } from 'vitest';
import type { TransportName } from '../../src/index.js';
import {
  api,
  startTestServer,
  type SignedIn,
  type TestServer,
} from '../../../server/test/helpers/salon-server.js';
import { connected, person, storedSeqs, strictlyIncreasing, waitFor } from './sdk.js';

/** The server's stored history of a room, oldest first (up to 200). */
async function history(
  server: TestServer,
  who: SignedIn,
  roomId: string,
): Promise<{ seq: number; client_id: string; body: string | null }[]> {
  const res = await api(
    server,
    'GET',
    `/api/rooms/${roomId}/messages?limit=200`,
    undefined,
    who.token,
  );
  expect(res.status).toBe(200);
  return (res.body as { messages: { seq: number; client_id: string; body: string | null }[] })
    .messages;
}

async function postMessage(server: TestServer, who: SignedIn, roomId: string, body: string) {
  const res = await api(
    server,
    'POST',
    `/api/rooms/${roomId}/messages`,
    { body, client_id: `http-${body.replace(/\W+/g, '-')}` },
    who.token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/**
 * The server restarts under a connected client. What the other person sends over HTTP while the
 * client is away, and what the client sends while it is away, all end up in the conversation in
 * order, once, and each of the client's messages is stored once under its own client_id.
 */
export async function restartScenario(transport: TransportName): Promise<void> {
  let server = await startTestServer();
  const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
  const anaC = await connected(server, ana, { transports: [transport] });
  expect(anaC.status.transport).toBe(transport);
  const dm = await anaC.openDm({ phone: ben.phone });
  const conv = anaC.conversation(dm.id);
  await conv.load();

  // Before: live, over the transport under test.
  await postMessage(server, ben, dm.id, 'before 1');
  conv.send('ana before');
  await waitFor(() => storedSeqs(conv.messages).length === 2);
  await postMessage(server, ben, dm.id, 'before 2');
  await waitFor(() => storedSeqs(conv.messages).length === 3);

  // The server goes away. Ana writes while she is disconnected: her messages wait.
  const closing = server.close();
  await waitFor(() => anaC.status.state !== 'connected');
  // The server closes by itself even with long polls held open (no forced socket closing here).
  await closing;
  expect(anaC.status).toEqual({ state: 'reconnecting', transport: null });
  const offline1 = conv.send('ana offline 1');
  const offline2 = conv.send('ana offline 2');
  expect(conv.messages.slice(-2).map((m) => [m.client_id, m.status])).toEqual([
    [offline1.client_id, 'sending'],
    [offline2.client_id, 'sending'],
  ]);

  // It comes back; Ben keeps writing over HTTP before Ana's client has found it again.
  server = await server.restart();
  // Teardown runs last-registered first: stop the client before this server closes.
  onTestFinished(() => anaC.stop());
  for (let i = 1; i <= 5; i++) await postMessage(server, ben, dm.id, `gap ${String(i)}`);
  expect(anaC.status.state, 'the gap closed before Ben wrote').not.toBe('connected');
  expect(conv.messages.slice(-2).map((m) => m.status)).toEqual(['sending', 'sending']);

  // Ana's client reconnects by itself (backoff: up to ~9 s) and catches up.
  await waitFor(() => anaC.status.state === 'connected', 15_000);
  expect(anaC.status.transport).toBe(transport);
  await waitFor(
    () => conv.messages.length === 10 && conv.messages.every((m) => m.status === 'sent'),
  );
  // And live again afterwards.
  await postMessage(server, ben, dm.id, 'after');
  await waitFor(() => conv.messages.length === 11);

  const seqs = storedSeqs(conv.messages);
  expect(seqs).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  expect(strictlyIncreasing(seqs)).toBe(true);
  expect(conv.messages.slice(0, 3).map((m) => m.body)).toEqual([
    'before 1',
    'ana before',
    'before 2',
  ]);
  expect(conv.messages.at(-1)?.body).toBe('after');
  // Ben's gap messages in the order he sent them, and Ana's offline ones in hers.
  const bodies = conv.messages.map((m) => m.body ?? '');
  expect(bodies.filter((b) => b.startsWith('gap'))).toEqual(
    [1, 2, 3, 4, 5].map((i) => `gap ${String(i)}`),
  );
  expect(bodies.filter((b) => b.startsWith('ana offline'))).toEqual([
    'ana offline 1',
    'ana offline 2',
  ]);

  // The server stored each of Ana's offline messages once, under the client_id it was sent with.
  const stored = await history(server, ben, dm.id);
  expect(stored.map((m) => m.seq)).toEqual(seqs);
  for (const sent of [offline1, offline2])
    expect(stored.filter((m) => m.client_id === sent.client_id)).toEqual([
      expect.objectContaining({ body: sent.body }),
    ]);
  // The list caught up too.
  await waitFor(() => anaC.rooms.find((r) => r.id === dm.id)?.last_seq === 11);
}
