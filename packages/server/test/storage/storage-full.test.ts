import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { SqliteMessageStore } from '../../src/chat/sqlite-message-store.js';
import { openSqlite } from '../../src/db/sqlite-file.js';
import { ChatClient, codeOf, createGroup, person } from '../chat/chat-client.js';
import { api, startTestServer } from '../helpers/salon-server.js';
import { TEST_DB } from '../helpers/test-database.js';

/** A logger at warn level whose records the test can read. */
function recordingLogger(): { logger: pino.Logger; messages: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'warn' }, sink),
    messages: () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg),
  };
}

const filler = 'x'.repeat(1000);

/*
 * SQLite's `max_page_count` (per connection) makes the database "full" without a small disk:
 * SQLite answers SQLITE_FULL exactly as it does when the disk is. The tmpfs version of this runs
 * in `npm run faults -- disk-full`.
 */
describe.skipIf(TEST_DB === 'postgres')('SQLite storage full', () => {
  test('a send is refused at once with STORE_UNAVAILABLE and Retry-After, not retried; it is stored once space is back', async () => {
    const logs = recordingLogger();
    // The main-thread writer, so that the test can cap the very connection that stores messages.
    const server = await startTestServer({
      env: { SALON_MESSAGE_WRITER: 'main' },
      logger: logs.logger,
    });
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Cramped', []);
    const cable = await ChatClient.connect(server, ana);
    await cable.joinUser();
    await cable.joinRoom(room.id);
    const database = server.salon.database;
    if (database.kind !== 'sqlite') throw new Error('expected SQLite');
    const sqlite = database.sqlite;
    sqlite.pragma(`max_page_count = ${String(sqlite.pragma('page_count', { simple: true }))}`);

    // Free pages may take a few messages before the cap bites.
    let refused: Awaited<ReturnType<typeof api>> | undefined;
    let sent = 0;
    while (!refused && sent < 200) {
      const res = await api(
        server,
        'POST',
        `/api/rooms/${room.id}/messages`,
        { body: filler, client_id: `fill-${String(sent)}` },
        ana.token,
      );
      if (res.status !== 201) refused = res;
      else sent++;
    }
    expect(refused?.status).toBe(503);
    expect(codeOf(refused?.body)).toBe('STORE_UNAVAILABLE');
    expect(refused?.headers.get('retry-after')).toBe('1');

    cable.speak(room.id, filler, 'cable-full');
    const failed = await cable.userEvent('message_failed', (e) => e.client_id === 'cable-full');
    expect(failed.code).toBe('STORE_UNAVAILABLE');
    // Answered on the first attempt: the job never backed off to try the batch again.
    expect(logs.messages()).not.toContain('batch failed; will retry');

    // Space comes back (an operator freed the disk): the same sends succeed, no restart.
    sqlite.pragma('max_page_count = 1073741823');
    const again = await api(
      server,
      'POST',
      `/api/rooms/${room.id}/messages`,
      { body: filler, client_id: `fill-${String(sent)}` },
      ana.token,
    );
    expect(again.status).toBe(201);
    cable.speak(room.id, filler, 'cable-full');
    await cable.roomEvent(room.id, 'message', (e) => e.message.client_id === 'cable-full');
    const copies = sqlite.prepare('SELECT count(*) FROM messages WHERE client_id = ?').pluck();
    expect(copies.get('cable-full')).toBe(1);
    expect(copies.get(`fill-${String(sent)}`)).toBe(1);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  test('the writer thread’s store answers a full database with STORE_UNAVAILABLE for the whole batch', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    // Not createGroup: it waits for the writer thread's first commit, which this test skips.
    const created = await api(
      server,
      'POST',
      '/api/rooms',
      { name: 'Cramped', members: [] },
      ana.token,
    );
    const room = (created.body as { room: { id: string } }).room;
    // The store the writer thread runs, on its own capped connection to the server's file.
    const sqlite = openSqlite(server.databaseUrl);
    try {
      sqlite.pragma(`max_page_count = ${String(sqlite.pragma('page_count', { simple: true }))}`);
      const store = new SqliteMessageStore(sqlite);
      const batch = Array.from({ length: 200 }, (_, i) => ({
        requestId: `r${String(i)}`,
        roomId: room.id,
        senderId: ana.id,
        clientId: `c${String(i)}`,
        body: filler,
        replyTo: null,
      }));
      const results = await store.writeBatch(batch);
      expect(results).toHaveLength(200);
      expect(new Set(results.map((r) => (r.ok ? 'ok' : r.code)))).toEqual(
        new Set(['STORE_UNAVAILABLE']),
      );
      const texts = sqlite.prepare("SELECT count(*) FROM messages WHERE kind = 'text'").pluck();
      expect(texts.get()).toBe(0);
    } finally {
      sqlite.close();
    }
  });
});
