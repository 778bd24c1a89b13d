import pg from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { ChatClient, codeOf, createGroup, history, person } from '../chat/chat-client.js';
import { api, startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';

/** Opens a session on `url`, closed when the test ends. */
async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

describe('losing the PostgreSQL connection mid-batch', () => {
  test('answers 503 STORE_UNAVAILABLE over HTTP and message_failed on the cable; the retry is stored', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Flaky', []);
    const cable = await ChatClient.connect(server, ana);
    await cable.joinUser();
    await cable.joinRoom(room.id);

    // Holding Ana's membership row stops each batch at its last statement (her read mark),
    // after its message was inserted; the watcher then kills the connection that waits.
    const blocker = await session(server.databaseUrl);
    const watcher = await session(server.databaseUrl);
    const killWaitingWriter = async () => {
      const pid = await waitFor('a batch waiting on the lock', async () => {
        const res = await watcher.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE memberships%' AND datname = current_database()",
        );
        return res.rows[0]?.pid;
      });
      await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
    };
    await blocker.query('BEGIN');
    await blocker.query(
      'SELECT 1 FROM memberships WHERE room_id = $1 AND user_id = $2 FOR UPDATE',
      [room.id, ana.id],
    );

    const posted = api(
      server,
      'POST',
      `/api/rooms/${room.id}/messages`,
      { body: 'over http', client_id: 'http-1' },
      ana.token,
    );
    await killWaitingWriter();
    const res = await posted;
    expect(res.status).toBe(503);
    expect(codeOf(res.body)).toBe('STORE_UNAVAILABLE');

    cable.speak(room.id, 'over the cable', 'cable-1');
    await killWaitingWriter();
    const failed = await cable.userEvent('message_failed', (e) => e.client_id === 'cable-1');
    expect(failed.code).toBe('STORE_UNAVAILABLE');

    await blocker.query('ROLLBACK');
    expect(await history(server, ana, room.id)).toEqual([]);
    // Sent again with the same client_ids, both are stored, numbered from 2 (the group's
    // "created" event is seq 1).
    const again = await api(
      server,
      'POST',
      `/api/rooms/${room.id}/messages`,
      { body: 'over http', client_id: 'http-1' },
      ana.token,
    );
    expect(again.status).toBe(201);
    cable.speak(room.id, 'over the cable', 'cable-1');
    await waitFor(
      'the cable retry stored',
      async () => (await history(server, ana, room.id)).length === 2,
    );
    expect((await history(server, ana, room.id)).map((m) => [m.seq, m.client_id])).toEqual([
      [2, 'http-1'],
      [3, 'cable-1'],
    ]);
    cable.close();
  });
});
