import type { MemberView, RoomDetail, RoomSummary } from '@salon/protocol';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { iso, isoOrNull, memberView, messageView } from './views.js';

type IsOnline = (userId: string) => boolean;

/** Read models of rooms as one member sees them: the conversation list and a room's detail. */
export class RoomQueries {
  readonly #db: Db;
  readonly #isOnline: IsOnline;

  constructor(db: Db, isOnline: IsOnline) {
    this.#db = db;
    this.#isOnline = isOnline;
  }

  /** `userId`'s conversations (all, or those in `roomIds`), newest activity first. */
  async summaries(userId: string, roomIds?: readonly string[]): Promise<RoomSummary[]> {
    if (roomIds?.length === 0) return [];
    let q = this.#db
      .selectFrom('memberships as m')
      .innerJoin('rooms as r', 'r.id', 'm.room_id')
      .select([
        'r.id',
        'r.kind',
        'r.name',
        'r.last_seq',
        'r.last_activity_at',
        'm.role',
        'm.last_read_seq',
      ])
      .where('m.user_id', '=', userId);
    if (roomIds) q = q.where('r.id', 'in', roomIds);
    const rooms = await q.orderBy('r.last_activity_at', 'desc').orderBy('r.id').execute();
    if (rooms.length === 0) return [];
    const ids = rooms.map((r) => r.id);

    const lastMessages = await this.#db
      .selectFrom('messages as msg')
      .innerJoin('rooms as r', (j) =>
        j.onRef('r.id', '=', 'msg.room_id').onRef('r.last_seq', '=', 'msg.seq'),
      )
      .innerJoin('users as u', 'u.id', 'msg.sender_id')
      .selectAll('msg')
      .select('u.name as sender_name')
      .where('msg.room_id', 'in', ids)
      .execute();
    const lastByRoom = new Map(lastMessages.map((m) => [m.room_id, messageView(m, m.sender_name)]));

    const unread = await this.#db
      .selectFrom('messages as msg')
      .innerJoin('memberships as m', (j) =>
        j.onRef('m.room_id', '=', 'msg.room_id').on('m.user_id', '=', userId),
      )
      .select(['msg.room_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('msg.room_id', 'in', ids)
      .whereRef('msg.seq', '>', 'm.last_read_seq')
      .where('msg.sender_id', '!=', userId)
      .where('msg.deleted_at', 'is', null)
      .groupBy('msg.room_id')
      .execute();
    const unreadByRoom = new Map(unread.map((u) => [u.room_id, u.n]));

    const others = await this.#db
      .selectFrom('memberships as m')
      .innerJoin('rooms as r', 'r.id', 'm.room_id')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.room_id', 'u.id', 'u.name', 'u.phone', 'u.last_seen_at'])
      .where('r.kind', '=', 'direct')
      .where('m.room_id', 'in', ids)
      .where('m.user_id', '!=', userId)
      .execute();
    const otherByRoom = new Map(others.map((o) => [o.room_id, o]));

    return rooms.map((r): RoomSummary => {
      const other = otherByRoom.get(r.id);
      return {
        id: r.id,
        kind: r.kind,
        name: r.kind === 'direct' ? (other?.name ?? other?.phone ?? null) : r.name,
        last_message: lastByRoom.get(r.id) ?? null,
        last_seq: r.last_seq,
        unread_count: unreadByRoom.get(r.id) ?? 0,
        last_read_seq: r.last_read_seq,
        other: other
          ? {
              id: other.id,
              name: other.name,
              phone: other.phone,
              online: this.#isOnline(other.id),
              last_seen_at: isoOrNull(other.last_seen_at),
            }
          : null,
        last_activity_at: iso(r.last_activity_at),
        role: r.role,
      };
    });
  }

  async detail(userId: string, roomId: string): Promise<RoomDetail> {
    const [summary] = await this.summaries(userId, [roomId]);
    if (!summary) throw roomNotFound();
    return { ...summary, members: await this.members(roomId) };
  }

  async members(roomId: string): Promise<MemberView[]> {
    const rows = await this.#db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select([
        'u.id',
        'u.name',
        'u.phone',
        'u.last_seen_at',
        'm.role',
        'm.joined_at',
        'm.last_read_seq',
      ])
      .where('m.room_id', '=', roomId)
      .orderBy('m.joined_at')
      .orderBy('u.id')
      .execute();
    return rows.map((r) => memberView(r, r, this.#isOnline(r.id)));
  }
}

/** Non-members get the same answer as for a room that does not exist: ids reveal nothing. */
export const roomNotFound = (): AppError =>
  new AppError('ROOM_NOT_FOUND', 404, 'No such conversation, or you are not in it.');
