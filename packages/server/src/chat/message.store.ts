import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '@salon/protocol';
import type { Db } from '../db/database.js';
import type { MessagesTable } from '../db/schema.js';

/** One message to store, as queued by `speak` or `POST /api/rooms/:id/messages`. */
export interface MessageRequest {
  /** Ties the stored result back to a waiting HTTP request, when there is one. */
  requestId: string;
  roomId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyTo: string | null;
}

export type WriteResult =
  | { ok: true; message: MessagesTable; senderName: string | null; duplicate: boolean }
  | { ok: false; code: ErrorCode; reason: string };

/** Stores batches of messages: one transaction per batch (group commit). */
export interface MessageStore {
  /** Results in request order. Throws only when the whole batch failed (nothing stored). */
  writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]>;
  close?(): Promise<void>;
}

/**
 * The dialect-neutral store (SQLite or PostgreSQL through Kysely). A batch costs a handful of
 * statements whatever its size: lookups for all its rooms and senders at once, one `last_seq`
 * bump per room (which assigns the gap-free `seq`s inside the transaction), one multi-row insert.
 */
export class KyselyMessageStore implements MessageStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return this.#db.transaction().execute(async (trx) => {
      const now = Date.now();
      const roomIds = unique(requests.map((r) => r.roomId));
      const senderIds = unique(requests.map((r) => r.senderId));

      const members = await trx
        .selectFrom('memberships')
        .select(['room_id', 'user_id'])
        .where('room_id', 'in', roomIds)
        .where('user_id', 'in', senderIds)
        .execute();
      const memberKeys = new Set(members.map((m) => `${m.room_id}\n${m.user_id}`));

      // Exact (room, sender, client_id) triples: the unique index answers each with one probe,
      // however many messages the rooms already hold.
      const triples = uniqueBy(requests, (r) => dedupKey(r.roomId, r.senderId, r.clientId));
      const earlier: MessagesTable[] = [];
      for (let i = 0; i < triples.length; i += 300) {
        const chunk = triples.slice(i, i + 300);
        earlier.push(
          ...(await trx
            .selectFrom('messages')
            .selectAll()
            .where((eb) =>
              eb(
                eb.refTuple('room_id', 'sender_id', 'client_id'),
                'in',
                chunk.map((r) => eb.tuple(r.roomId, r.senderId, r.clientId)),
              ),
            )
            .execute()),
        );
      }
      const stored = new Map(
        earlier.map((m) => [dedupKey(m.room_id, m.sender_id, m.client_id), m]),
      );

      const replyIds = unique(requests.flatMap((r) => (r.replyTo === null ? [] : [r.replyTo])));
      const replyTargets =
        replyIds.length === 0
          ? []
          : await trx
              .selectFrom('messages')
              .select(['id', 'room_id'])
              .where('id', 'in', replyIds)
              .execute();
      const replyRoom = new Map(replyTargets.map((m) => [m.id, m.room_id]));

      const names = await trx
        .selectFrom('users')
        .select(['id', 'name'])
        .where('id', 'in', senderIds)
        .execute();
      const nameOf = new Map(names.map((u) => [u.id, u.name]));

      // Decide each request; accepted ones get their room's next seqs in order.
      const results: (WriteResult | undefined)[] = [];
      const accepted: { index: number; row: MessagesTable }[] = [];
      const perRoom = new Map<string, MessagesTable[]>();
      requests.forEach((r, index) => {
        if (!memberKeys.has(`${r.roomId}\n${r.senderId}`)) {
          results[index] = {
            ok: false,
            code: 'NOT_A_MEMBER',
            reason: 'You are not in this conversation.',
          };
          return;
        }
        const key = dedupKey(r.roomId, r.senderId, r.clientId);
        const first = stored.get(key);
        if (first) {
          results[index] = {
            ok: true,
            message: first,
            senderName: nameOf.get(r.senderId) ?? null,
            duplicate: true,
          };
          return;
        }
        if (r.replyTo !== null && replyRoom.get(r.replyTo) !== r.roomId) {
          results[index] = {
            ok: false,
            code: 'MESSAGE_NOT_FOUND',
            reason: 'The message replied to is not in this conversation.',
          };
          return;
        }
        const row: MessagesTable = {
          id: randomUUID(),
          room_id: r.roomId,
          seq: 0,
          sender_id: r.senderId,
          client_id: r.clientId,
          body: r.body,
          reply_to: r.replyTo,
          created_at: now,
          edited_at: null,
          deleted_at: null,
        };
        stored.set(key, row); // a repeat later in this same batch is a duplicate of this one
        accepted.push({ index, row });
        const list = perRoom.get(r.roomId) ?? [];
        list.push(row);
        perRoom.set(r.roomId, list);
      });

      for (const [roomId, rows] of perRoom) {
        const bumped = await trx
          .updateTable('rooms')
          .set((eb) => ({ last_seq: eb('last_seq', '+', rows.length), last_activity_at: now }))
          .where('id', '=', roomId)
          .returning('last_seq')
          .executeTakeFirstOrThrow();
        let seq = bumped.last_seq - rows.length;
        for (const row of rows) row.seq = ++seq;
      }
      // 10 columns a row: 500 rows stay far below every driver's parameter limit.
      for (let i = 0; i < accepted.length; i += 500) {
        await trx
          .insertInto('messages')
          .values(accepted.slice(i, i + 500).map((a) => a.row))
          .execute();
      }
      // Sending a message means having read the conversation up to it.
      const readMarks = new Map<string, { roomId: string; userId: string; seq: number }>();
      for (const { row } of accepted)
        readMarks.set(`${row.room_id}\n${row.sender_id}`, {
          roomId: row.room_id,
          userId: row.sender_id,
          seq: row.seq,
        });
      for (const mark of readMarks.values()) {
        await trx
          .updateTable('memberships')
          .set({ last_read_seq: mark.seq })
          .where('room_id', '=', mark.roomId)
          .where('user_id', '=', mark.userId)
          .where('last_read_seq', '<', mark.seq)
          .execute();
      }
      for (const { index, row } of accepted) {
        results[index] = {
          ok: true,
          message: row,
          senderName: nameOf.get(row.sender_id) ?? null,
          duplicate: false,
        };
      }
      return results.map(
        (r) => r ?? { ok: false as const, code: 'INTERNAL' as const, reason: 'not processed' },
      );
    });
  }
}

function dedupKey(roomId: string, senderId: string, clientId: string): string {
  return `${roomId}\n${senderId}\n${clientId}`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
