import SQLite from 'better-sqlite3';
import { beforeAll, expect, test } from 'vitest';
import { acceptedDm, ChatClient, person } from './chat/chat-client.js';
import { buildCompiledSalon, startCompiledSalon } from './helpers/compiled-salon.js';
import { api, testPhone } from './helpers/salon-server.js';
import { waitFor } from './helpers/wait-for.js';

beforeAll(buildCompiledSalon, 120_000);

/**
 * SALON_SHUTDOWN_TIMEOUT_SECONDS is one budget for the whole stop. A client that never answers
 * the close handshake holds the cable's close for its 2 s cut-off; a job that does not finish
 * holds the drain. When each step got the whole timeout anew, the process overran its own hard
 * deadline and was killed before presence closed: people stayed "online" (in a cluster, for
 * good) and "last seen" was never written.
 */
test('SIGTERM with a silent client and a hung job: exits 0, having recorded who went offline', async () => {
  const salon = await startCompiledSalon({ SALON_SHUTDOWN_TIMEOUT_SECONDS: '1' });
  const { sms } = salon;

  const ana = await person(salon, 'Ana');
  const ben = await person(salon, 'Ben');
  const dm = await acceptedDm(salon, ana, ben);
  const benWs = await ChatClient.connect(salon, ben);
  await benWs.joinRoom(dm.id);
  const anaWs = await ChatClient.connect(salon, ana);
  // Announced online, so that her going offline is announced and recorded too.
  await benWs.roomEvent(dm.id, 'presence', (e) => e.users.some((u) => u.user_id === ana.id));
  // Ana's client stops reading (a phone gone to sleep) ...
  anaWs.raw.ws.pause();
  // ... and an SMS is on its way to a provider that does not answer (10 s request timeout).
  sms.holdNext(1);
  expect((await api(salon, 'POST', '/api/auth/otp', { phone: testPhone() })).status).toBe(202);
  await waitFor('the SMS request at the provider', () => sms.held === 1, 5000);

  salon.child.kill('SIGTERM');
  expect(await salon.exited, salon.output()).toBe(0);
  expect(salon.output()).toContain('shutdown timeout: queued jobs abandoned');
  const db = new SQLite(salon.dbFile, { readonly: true });
  const row = db.prepare('SELECT last_seen_at FROM users WHERE id = ?').get(ana.id) as {
    last_seen_at: number | null;
  };
  db.close();
  expect(row.last_seen_at).not.toBeNull();
});
