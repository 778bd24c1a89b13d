import { describe, expect, test } from 'vitest';
import {
  KyselyMessageStore,
  type MessageRequest,
  type MessageStore,
} from '../src/chat/message.store.js';
import { PostgresMessageStore } from '../src/chat/postgres-message-store.js';
import { SqliteMessageStore } from '../src/chat/sqlite-message-store.js';
import type { DatabaseBackend } from '../src/db/database-backend.js';
import { TEST_DB, openTestBackend } from './helpers/test-database.js';

type MakeStore = (backend: DatabaseBackend) => MessageStore;

/**
 * The same contract for every store, on this run's database: the Kysely one (any dialect), the
 * SQLite writer's, and PostgreSQL's own.
 */
const stores: [string, MakeStore][] =
  TEST_DB === 'postgres'
    ? [
        ['KyselyMessageStore', (b) => new KyselyMessageStore(b.db)],
        [
          'PostgresMessageStore',
          (b) => {
            if (b.kind !== 'postgres') throw new Error('expected PostgreSQL');
            return new PostgresMessageStore(b.pool);
          },
        ],
      ]
    : [
        ['KyselyMessageStore', (b) => new KyselyMessageStore(b.db)],
        [
          'SqliteMessageStore',
          (b) => {
            if (b.kind !== 'sqlite') throw new Error('expected SQLite');
            return new SqliteMessageStore(b.sqlite);
          },
        ],
      ];

async function setup(make: MakeStore) {
  const backend = await openTestBackend();
  const db = backend.db;
  const now = Date.now();
  for (const u of ['ann', 'bob', 'eve']) {
    await db
      .insertInto('users')
      .values({
        id: u,
        phone: `+1415555${String(u.length)}${u.charCodeAt(0)}`,
        name: u.toUpperCase(),
        created_at: now,
        last_seen_at: null,
      })
      .execute();
  }
  for (const r of ['r1', 'r2']) {
    await db
      .insertInto('rooms')
      .values({
        id: r,
        kind: 'group',
        name: r,
        direct_key: null,
        created_by: 'ann',
        created_at: now,
        last_activity_at: now,
      })
      .execute();
    for (const u of ['ann', 'bob'])
      await db
        .insertInto('memberships')
        .values({ room_id: r, user_id: u, role: 'member', joined_at: now })
        .execute();
  }
  return { db, store: make(backend) };
}

let n = 0;
function req(
  roomId: string,
  senderId: string,
  clientId = `c${String(++n)}`,
  replyTo: string | null = null,
): MessageRequest {
  return {
    requestId: `q${String(n)}`,
    roomId,
    senderId,
    clientId,
    body: `hello ${clientId}`,
    replyTo,
  };
}

describe.each(stores)('%s', (_name, make) => {
  test('warming before the first batch leaves nothing behind', async () => {
    const { store, db } = await setup(make);
    await store.warm?.();
    const results = await store.writeBatch([req('r1', 'ann'), req('r1', 'bob')]);
    expect(results.map((r) => (r.ok ? r.message.seq : r.code))).toEqual([1, 2]);
    const room = await db
      .selectFrom('rooms')
      .select('last_seq')
      .where('id', '=', 'r1')
      .executeTakeFirstOrThrow();
    expect(room.last_seq).toBe(2);
  });

  test('seqs per room start at 1 and have no gaps, across batches', async () => {
    const { store } = await setup(make);
    const first = await store.writeBatch([req('r1', 'ann'), req('r2', 'bob'), req('r1', 'bob')]);
    const second = await store.writeBatch([req('r1', 'ann'), req('r2', 'ann')]);
    const seqs = [...first, ...second].map((r) =>
      r.ok ? `${r.message.room_id}:${String(r.message.seq)}` : r.code,
    );
    expect(seqs).toEqual(['r1:1', 'r2:1', 'r1:2', 'r1:3', 'r2:2']);
    expect(first.every((r) => r.ok && !r.duplicate && r.senderName !== null)).toBe(true);
  });

  test('a repeated client_id answers with the first message, in the same batch and later', async () => {
    const { store, db } = await setup(make);
    const [a, b] = await store.writeBatch([req('r1', 'ann', 'same'), req('r1', 'ann', 'same')]);
    const [c] = await store.writeBatch([req('r1', 'ann', 'same')]);
    const [d] = await store.writeBatch([req('r1', 'bob', 'same')]); // another sender: its own message
    expect(a?.ok && !a.duplicate).toBe(true);
    for (const r of [b, c])
      expect(r?.ok && r.duplicate && a?.ok && r.message.id === a.message.id).toBe(true);
    expect(d?.ok && !d.duplicate && d.message.seq === 2).toBe(true);
    const count = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(2);
  });

  test('non-members and replies into other rooms are refused without using a seq', async () => {
    const { store } = await setup(make);
    const [target] = await store.writeBatch([req('r2', 'ann')]);
    if (!target?.ok) throw new Error('setup failed');
    const results = await store.writeBatch([
      req('r1', 'eve'),
      req('r1', 'ann', undefined, target.message.id),
      req('r1', 'ann', undefined, 'missing'),
      req('r1', 'ann'),
    ]);
    expect(results.map((r) => (r.ok ? r.message.seq : r.code))).toEqual([
      'NOT_A_MEMBER',
      'MESSAGE_NOT_FOUND',
      'MESSAGE_NOT_FOUND',
      1,
    ]);
    const [reply] = await store.writeBatch([req('r2', 'bob', undefined, target.message.id)]);
    expect(reply?.ok && reply.message.reply_to === target.message.id).toBe(true);
  });

  // PostgreSQL's `messages` has no foreign keys (migration 0006): these checks are the store's.
  test('a room or a sender that does not exist gets nothing stored', async () => {
    const { store, db } = await setup(make);
    const results = await store.writeBatch([req('nowhere', 'ann'), req('r1', 'ghost')]);
    expect(results.map((r) => (r.ok ? r.message.seq : r.code))).toEqual([
      'NOT_A_MEMBER',
      'NOT_A_MEMBER',
    ]);
    // A group event skips the membership check; its room must still exist.
    await expect(
      store.writeBatch([{ ...req('nowhere', 'ann'), event: { type: 'left' } }]),
    ).rejects.toThrow();
    const count = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(0);
  });

  test('sending moves the sender’s read mark and the room’s last_seq', async () => {
    const { store, db } = await setup(make);
    await store.writeBatch([req('r1', 'ann'), req('r1', 'bob'), req('r1', 'ann')]);
    const marks = await db
      .selectFrom('memberships')
      .select(['user_id', 'last_read_seq'])
      .where('room_id', '=', 'r1')
      .orderBy('user_id')
      .execute();
    expect(marks).toEqual([
      { user_id: 'ann', last_read_seq: 3 },
      { user_id: 'bob', last_read_seq: 2 },
    ]);
    const room = await db
      .selectFrom('rooms')
      .select('last_seq')
      .where('id', '=', 'r1')
      .executeTakeFirstOrThrow();
    expect(room.last_seq).toBe(3);
  });
});
