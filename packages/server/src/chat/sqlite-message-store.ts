import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { MemberState, MessagesTable } from '../db/schema.js';
import { assignSeqs, finish, planBatch, readMarks } from './message-batch.js';
import type { MessageRequest, MessageStore, WriteResult } from './message.store.js';
import { storageFaultResults } from './storage-fault.js';

/**
 * The SQLite store the writer thread runs: the same decisions as KyselyMessageStore
 * (message-batch.ts), made with prepared statements that SQLite compiles once. Each lookup is one
 * index probe, so a batch of 1,000 costs little beyond its commit.
 */
export class SqliteMessageStore implements MessageStore {
  readonly #write: (requests: readonly MessageRequest[]) => WriteResult[];

  constructor(db: SqliteDatabase) {
    const q = {
      member: db
        .prepare<[string, string]>(
          'SELECT state FROM memberships WHERE room_id = ? AND user_id = ?',
        )
        .pluck(),
      join: db.prepare<[number, string, string]>(
        "UPDATE memberships SET state = 'active', accepted_at = coalesce(accepted_at, ?) WHERE room_id = ? AND user_id = ? AND state = 'pending'",
      ),
      earlier: db.prepare<[string, string, string]>(
        'SELECT * FROM messages WHERE room_id = ? AND sender_id = ? AND client_id = ?',
      ),
      roomOf: db.prepare<[string]>('SELECT room_id FROM messages WHERE id = ?').pluck(),
      name: db.prepare<[string]>('SELECT name FROM users WHERE id = ?').pluck(),
      bump: db
        .prepare<[number, number, string]>(
          'UPDATE rooms SET last_seq = last_seq + ?, last_activity_at = ? WHERE id = ? RETURNING last_seq',
        )
        .pluck(),
      insert: db.prepare(
        'INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, reply_to, created_at, edited_at, deleted_at, kind, event) ' +
          'VALUES (@id, @room_id, @seq, @sender_id, @client_id, @body, @reply_to, @created_at, @edited_at, @deleted_at, @kind, @event)',
      ),
      read: db.prepare<[number, string, string, number]>(
        'UPDATE memberships SET last_read_seq = ? WHERE room_id = ? AND user_id = ? AND last_read_seq < ?',
      ),
    };

    // IMMEDIATE: the batch reads (membership, earlier sends) before it writes, and a deferred
    // transaction cannot become a writer once the main thread has committed since its read
    // (SQLITE_BUSY at once, without busy_timeout's wait).
    const batch = db.transaction((requests: readonly MessageRequest[]) => {
      const names = new Map<string, string | null>();
      const nameOf = (id: string): string | null => {
        if (!names.has(id)) names.set(id, (q.name.get(id) as string | null | undefined) ?? null);
        return names.get(id) ?? null;
      };
      const plan = planBatch(
        requests,
        {
          memberState: (roomId, userId) => q.member.get(roomId, userId) as MemberState | undefined,
          earlier: (roomId, senderId, clientId) =>
            q.earlier.get(roomId, senderId, clientId) as MessagesTable | undefined,
          roomOf: (id) => q.roomOf.get(id) as string | undefined,
          nameOf,
        },
        Date.now(),
      );
      for (const [roomId, rows] of plan.perRoom) {
        const bumped = q.bump.get(rows.length, rows[0]?.created_at ?? Date.now(), roomId) as
          number | undefined;
        if (bumped === undefined) throw new Error(`room ${roomId} vanished during a message batch`);
        assignSeqs(rows, bumped);
      }
      for (const { row } of plan.accepted) q.insert.run(row);
      for (const j of plan.joins) q.join.run(Date.now(), j.roomId, j.userId);
      for (const m of readMarks(plan)) q.read.run(m.seq, m.roomId, m.userId, m.seq);
      return finish(plan, nameOf);
    });
    this.#write = (requests) => batch.immediate(requests);
  }

  writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]> {
    try {
      return Promise.resolve(requests.length === 0 ? [] : this.#write(requests));
    } catch (err) {
      // A full disk or an I/O error is answered now, not retried: see storage-fault.ts.
      const refused = storageFaultResults(requests, err);
      if (refused) return Promise.resolve(refused);
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
