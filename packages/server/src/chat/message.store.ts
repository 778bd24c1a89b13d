import type { ErrorCode, GroupEventView } from '@salon/protocol';
import type { Db } from '../db/database.js';
import type { MessagesTable } from '../db/schema.js';
import { assignSeqs, finish, planBatch, readMarks } from './message-batch.js';
import { storageFaultResults } from './storage-fault.js';

/** One message to store, as queued by `speak` or `POST /api/rooms/:id/messages`. */
export interface MessageRequest {
  /** Ties the stored result back to a waiting HTTP request, when there is one. */
  requestId: string;
  roomId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyTo: string | null;
  /**
   * A group event made by the server (the sender did it): stored without a body, and without
   * the membership check (someone who just left is the sender of "left").
   */
  event?: GroupEventView;
}

export type WriteResult =
  | {
      ok: true;
      message: MessagesTable;
      senderName: string | null;
      duplicate: boolean;
      /** This message was the sender's reply to a request or invitation: it accepted it. */
      joined?: true;
    }
  | { ok: false; code: ErrorCode; reason: string };

/** Stores batches of messages: one transaction per batch (group commit). */
export interface MessageStore {
  /** Results in request order. Throws only when the whole batch failed (nothing stored). */
  writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]>;
  /**
   * Readies what the first batch would otherwise pay for (a writer thread, a connection, prepared
   * statements), so that the first message after a start is as quick as the next. Called before
   * the server listens; resolves when ready, rejects when the store cannot be opened.
   */
  warm?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The dialect-neutral store (SQLite or PostgreSQL through Kysely). A batch costs a handful of
 * statements whatever its size: lookups for all its rooms and senders at once, one `last_seq`
 * bump per room (which assigns the gap-free `seq`s inside the transaction), multi-row inserts.
 */
export class KyselyMessageStore implements MessageStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return this.#write(requests).catch((err: unknown) => {
      // A full disk or an I/O error is answered now, not retried: see storage-fault.ts.
      const refused = storageFaultResults(requests, err);
      if (refused) return refused;
      throw err;
    });
  }

  #write(requests: readonly MessageRequest[]): Promise<WriteResult[]> {
    return this.#db.transaction().execute(async (trx) => {
      const roomIds = unique(requests.map((r) => r.roomId));
      const senderIds = unique(requests.map((r) => r.senderId));

      const members = await trx
        .selectFrom('memberships')
        .select(['room_id', 'user_id', 'state'])
        .where('room_id', 'in', roomIds)
        .where('user_id', 'in', senderIds)
        .execute();
      const memberStates = new Map(members.map((m) => [`${m.room_id}\n${m.user_id}`, m.state]));

      // Exact (room, sender, client_id) triples: the unique index answers each with one probe,
      // however many messages the rooms already hold.
      const triples = uniqueBy(requests, (r) => `${r.roomId}\n${r.senderId}\n${r.clientId}`);
      const earlier = new Map<string, MessagesTable>();
      for (let i = 0; i < triples.length; i += 300) {
        const chunk = triples.slice(i, i + 300);
        const rows = await trx
          .selectFrom('messages')
          .selectAll()
          .where((eb) =>
            eb(
              eb.refTuple('room_id', 'sender_id', 'client_id'),
              'in',
              chunk.map((r) => eb.tuple(r.roomId, r.senderId, r.clientId)),
            ),
          )
          .execute();
        for (const m of rows) earlier.set(`${m.room_id}\n${m.sender_id}\n${m.client_id}`, m);
      }

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
      const name = (id: string) => nameOf.get(id) ?? null;

      const plan = planBatch(
        requests,
        {
          memberState: (roomId, userId) => memberStates.get(`${roomId}\n${userId}`),
          earlier: (roomId, senderId, clientId) =>
            earlier.get(`${roomId}\n${senderId}\n${clientId}`),
          roomOf: (id) => replyRoom.get(id),
          nameOf: name,
        },
        Date.now(),
      );

      for (const [roomId, rows] of plan.perRoom) {
        const bumped = await trx
          .updateTable('rooms')
          .set((eb) => ({
            last_seq: eb('last_seq', '+', rows.length),
            last_activity_at: rows[0]?.created_at ?? Date.now(),
          }))
          .where('id', '=', roomId)
          .returning('last_seq')
          .executeTakeFirstOrThrow();
        assignSeqs(rows, bumped.last_seq);
      }
      // 10 columns a row: 500 rows stay far below every driver's parameter limit.
      for (let i = 0; i < plan.accepted.length; i += 500) {
        await trx
          .insertInto('messages')
          .values(plan.accepted.slice(i, i + 500).map((a) => a.row))
          .execute();
      }
      for (const join of plan.joins) {
        await trx
          .updateTable('memberships')
          .set((eb) => ({
            state: 'active',
            accepted_at: eb.fn.coalesce('accepted_at', eb.val(Date.now())),
          }))
          .where('room_id', '=', join.roomId)
          .where('user_id', '=', join.userId)
          .where('state', '=', 'pending')
          .execute();
      }
      for (const mark of readMarks(plan)) {
        await trx
          .updateTable('memberships')
          .set({ last_read_seq: mark.seq })
          .where('room_id', '=', mark.roomId)
          .where('user_id', '=', mark.userId)
          .where('last_read_seq', '<', mark.seq)
          .execute();
      }
      return finish(plan, name);
    });
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
