import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, onTestFinished, test } from 'vitest';
import { WorkerMessageStore } from '../../src/chat/worker-message-store.js';
import { openBackend } from '../../src/db/database-backend.js';
import { seedGroupRooms } from '../helpers/seed-rooms.js';
import { openTestBackend } from '../helpers/test-database.js';

const silent = pino({ level: 'silent' });

function sqliteUrl(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-writer-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return `sqlite:${path.join(dir, 'salon.db')}`;
}

function writer(url: string): WorkerMessageStore {
  const store = new WorkerMessageStore(url, silent);
  onTestFinished(() => store.close());
  return store;
}

/**
 * The writer thread is started before the server listens (issue 13: the first message after a
 * start must not wait for it). warm() is the promise that start-up waits on: it must mean "can
 * write", and a writer that cannot open the database must stop the start rather than fail every
 * message later.
 */
describe('WorkerMessageStore.warm', () => {
  test('resolves once the thread has opened the database; the first batch is then stored', async () => {
    const url = sqliteUrl();
    const backend = await openTestBackend('sqlite', { url });
    await seedGroupRooms(backend.db, ['r1'], ['ann']);

    const store = writer(url);
    await store.warm();
    const [result] = await store.writeBatch([
      { requestId: 'q1', roomId: 'r1', senderId: 'ann', clientId: 'c1', body: 'hi', replyTo: null },
    ]);
    expect(result?.ok && result.message.seq).toBe(1);
  });

  test('rejects when the thread cannot prepare its statements (a database without the schema)', async () => {
    const url = sqliteUrl();
    // The file exists, with none of Salon's tables: the writer's statements cannot be prepared.
    const bare = await openBackend({
      url,
      poolSize: 1,
      messageWriter: 'main',
      log: silent,
      migrate: false,
    });
    await bare.close();
    await expect(writer(url).warm()).rejects.toThrow(/cannot open the database: no such table/);
  });
});
