import type {
  ContactView,
  MemberView,
  RoomDetail,
  RoomSummary,
  RoomsPage,
  UserRef,
} from '@salon/protocol';
import type { Db } from '../db/database.js';
import type { Membership, MemberState, RoomKind } from '../db/schema.js';
import { AppError } from '../errors.js';
import { numberShown, presenceShared, profileShown, shownStatus } from './privacy.js';
import { selfKey } from './direct-keys.js';
import { iso, isoOrNull, messageView } from './views.js';

type IsOnline = (userId: string) => boolean;

/** Unread counts stop at this: a list shows "999+", and counting further costs a scan. */
export const UNREAD_CAP = 1000;

/** One row of the list before it becomes a summary: the room and my membership in it. */
interface ListedRoom {
  id: string;
  kind: RoomKind;
  name: string | null;
  last_seq: number;
  last_activity_at: number;
  role: Membership['role'];
  last_read_seq: number;
  state: MemberState;
  invited_by: string | null;
  direct_key: string | null;
}

/**
 * Read models of rooms as one member sees them: the conversation list (a page at a time: a
 * person may be in ten thousand rooms), a room's detail and members, the people one knows. Every
 * query touches a bounded number of rows per call, and what it shows of others follows
 * privacy.ts.
 */
export class RoomQueries {
  readonly #db: Db;
  readonly #isOnline: IsOnline;

  constructor(db: Db, isOnline: IsOnline) {
    this.#db = db;
    this.#isOnline = isOnline;
  }

  /** One page of `userId`'s conversations, newest activity first. */
  async page(
    userId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<RoomsPage> {
    const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
    let q = this.#listed(userId);
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('r.last_activity_at', '<', after.at),
          eb.and([eb('r.last_activity_at', '=', after.at), eb('r.id', '<', after.id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('r.last_activity_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(opts.limit + 1)
      .execute();
    const more = rows.length > opts.limit;
    const pageRows = more ? rows.slice(0, opts.limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      rooms: await this.#summaries(userId, pageRows),
      next_cursor: more && last ? encodeCursor(last.last_activity_at, last.id) : null,
    };
  }

  /** `userId`'s view of one room, or undefined when they are not in it. */
  async summary(userId: string, roomId: string): Promise<RoomSummary | undefined> {
    const rows = await this.#listed(userId).where('r.id', '=', roomId).execute();
    return (await this.#summaries(userId, rows))[0];
  }

  async detail(userId: string, roomId: string): Promise<RoomDetail> {
    const summary = await this.summary(userId, roomId);
    if (!summary) throw roomNotFound();
    return { ...summary, members: await this.members(roomId, userId) };
  }

  /** The room's members as `viewerId` may see them. */
  async members(roomId: string, viewerId: string): Promise<MemberView[]> {
    const rows = await this.#memberRows(roomId).execute();
    const kind = await this.#kind(roomId);
    const viewer = rows.find((r) => r.user_id === viewerId);
    // Presence shows between the two sides of an accepted direct room; in a group, for the
    // members the viewer has such a room with.
    const partners = kind === 'direct' ? undefined : await this.#directPartners(viewerId);
    return rows.map((r) =>
      this.#memberView(r, viewerId, (m) =>
        kind === 'direct'
          ? viewer !== undefined && presenceShared(viewer, m)
          : partners?.has(m.user_id) === true,
      ),
    );
  }

  /**
   * A member as everyone in the room may see them, for events broadcast to the room (one frame
   * for all): in a group without presence, in a direct room with it once both accepted.
   */
  async broadcastMember(roomId: string, userId: string): Promise<MemberView | undefined> {
    return (await this.broadcastMembers(roomId, [userId]))[0];
  }

  /** `broadcastMember` for many at once (up to a chunk of ids: one query). */
  async broadcastMembers(roomId: string, userIds: readonly string[]): Promise<MemberView[]> {
    if (userIds.length === 0) return [];
    const kind = await this.#kind(roomId);
    let q = this.#memberRows(roomId);
    // A group's rows are enough; a direct room's other row says whether presence is shared.
    if (kind !== 'direct') q = q.where('m.user_id', 'in', userIds);
    const rows = await q.execute();
    const shared =
      kind === 'direct' && rows.length === 2 && rows.every((r) => r.state === 'active');
    const wanted = new Set(userIds);
    // No viewer: a profile shows only if accepted (the sender of a request knows the rest).
    return rows
      .filter((r) => wanted.has(r.user_id))
      .map((r) => this.#memberView(r, '', () => shared));
  }

  /** The rooms `userId` accepted, a page at a time (to tell them about a change of name). */
  async acceptedRooms(userId: string, afterId: string, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('memberships')
      .select('room_id')
      .where('user_id', '=', userId)
      .where('accepted_at', 'is not', null)
      .where('room_id', '>', afterId)
      .orderBy('room_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.room_id);
  }

  /**
   * People `userId` shares a room with where both accepted it, whose name or number matches `q`
   * (all when absent), by name.
   */
  async contacts(userId: string, q: string | undefined, limit: number): Promise<ContactView[]> {
    let query = this.#db
      .selectFrom('memberships as mine')
      .innerJoin('memberships as theirs', 'theirs.room_id', 'mine.room_id')
      .innerJoin('users as u', 'u.id', 'theirs.user_id')
      .select(['u.id', 'u.name', 'u.phone'])
      .distinct()
      .where('mine.user_id', '=', userId)
      .where('mine.state', '=', 'active')
      .where('theirs.state', '=', 'active')
      .where('theirs.user_id', '!=', userId);
    // LIKE wildcards in the search text are dropped: it matches as plain text.
    const needle = q
      ?.trim()
      .toLowerCase()
      .replace(/[%_\\]/g, '');
    if (needle) {
      const like = `%${needle}%`;
      query = query.where((eb) =>
        eb.or([eb(eb.fn('lower', ['u.name']), 'like', like), eb('u.phone', 'like', like)]),
      );
    }
    const rows = await query.orderBy('u.name').orderBy('u.id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, name: r.name, phone: r.phone }));
  }

  // ------------------------------------------------------------ internals

  /** My rooms, with my membership; declined ones are gone to me. */
  #listed(userId: string) {
    return this.#db
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
        'm.state',
        'm.invited_by',
        'r.direct_key',
      ])
      .where('m.user_id', '=', userId)
      .where('m.state', '!=', 'declined');
  }

  /** Summaries of up to a page of rooms: a few queries, each bounded by the page. */
  async #summaries(userId: string, rooms: readonly ListedRoom[]): Promise<RoomSummary[]> {
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

    // Each room's range is bounded to its newest UNREAD_CAP messages, so a room with a huge
    // backlog costs no more than a full page of small ones.
    const ranges = rooms.filter((r) => r.last_seq > r.last_read_seq);
    const unreadByRoom = new Map<string, number>();
    if (ranges.length > 0) {
      const unread = await this.#db
        .selectFrom('messages as msg')
        .select(['msg.room_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where((eb) =>
          eb.or(
            ranges.map((r) =>
              eb.and([
                eb('msg.room_id', '=', r.id),
                eb('msg.seq', '>', Math.max(r.last_read_seq, r.last_seq - UNREAD_CAP)),
              ]),
            ),
          ),
        )
        .where('msg.sender_id', '!=', userId)
        .where('msg.deleted_at', 'is', null)
        // Group events ("Ana added Ben") are not something to read.
        .where('msg.kind', '=', 'text')
        .groupBy('msg.room_id')
        .execute();
      for (const u of unread) unreadByRoom.set(u.room_id, u.n);
    }

    const direct = rooms.filter((r) => r.kind === 'direct').map((r) => r.id);
    const others =
      direct.length === 0
        ? []
        : await this.#db
            .selectFrom('memberships as m')
            .innerJoin('users as u', 'u.id', 'm.user_id')
            .select([
              'm.room_id',
              'm.user_id',
              'm.state',
              'm.accepted_at',
              'm.invited_by',
              'u.name',
              'u.phone',
              'u.last_seen_at',
            ])
            .where('m.room_id', 'in', direct)
            .where('m.user_id', '!=', userId)
            .execute();
    const otherByRoom = new Map(others.map((o) => [o.room_id, o]));

    const inviterIds = [...new Set(rooms.flatMap((r) => (r.invited_by ? [r.invited_by] : [])))];
    const inviters =
      inviterIds.length === 0
        ? []
        : await this.#db
            .selectFrom('users')
            .select(['id', 'name'])
            .where('id', 'in', inviterIds)
            .execute();
    const inviterById = new Map(inviters.map((u) => [u.id, u]));

    return rooms.map((r): RoomSummary => {
      const other = otherByRoom.get(r.id);
      const shown = other !== undefined && profileShown(other, userId);
      const presence = other !== undefined && presenceShared(r, other);
      const inviter =
        r.state === 'pending' && r.invited_by ? inviterById.get(r.invited_by) : undefined;
      const invitedBy: UserRef | null = inviter ? { id: inviter.id, name: inviter.name } : null;
      return {
        id: r.id,
        kind: r.kind,
        note_to_self: r.direct_key === selfKey(userId),
        status: r.state === 'active' ? 'active' : r.kind === 'direct' ? 'request' : 'invitation',
        invited_by: invitedBy,
        name:
          r.kind === 'direct'
            ? ((shown ? other.name : null) ??
              (other && numberShown(other, userId) ? other.phone : null))
            : r.name,
        last_message: lastByRoom.get(r.id) ?? null,
        last_seq: r.last_seq,
        unread_count: Math.min(unreadByRoom.get(r.id) ?? 0, UNREAD_CAP),
        last_read_seq: r.last_read_seq,
        other: other
          ? {
              id: other.user_id,
              name: shown ? other.name : null,
              phone: numberShown(other, userId) ? other.phone : '',
              online: presence && this.#isOnline(other.user_id),
              last_seen_at: presence ? isoOrNull(other.last_seen_at) : null,
              status: shownStatus(other),
            }
          : null,
        last_activity_at: iso(r.last_activity_at),
        role: r.role,
      };
    });
  }

  #memberRows(roomId: string) {
    return this.#db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select([
        'm.user_id',
        'm.state',
        'm.accepted_at',
        'm.invited_by',
        'm.role',
        'm.joined_at',
        'm.last_read_seq',
        'u.name',
        'u.phone',
        'u.last_seen_at',
      ])
      .where('m.room_id', '=', roomId)
      .orderBy('m.joined_at')
      .orderBy('m.user_id');
  }

  #memberView(
    r: {
      user_id: string;
      state: MemberState;
      accepted_at: number | null;
      invited_by: string | null;
      role: Membership['role'];
      joined_at: number;
      last_read_seq: number;
      name: string | null;
      phone: string;
      last_seen_at: number | null;
    },
    viewerId: string,
    presence: (m: { user_id: string; state: MemberState }) => boolean,
  ): MemberView {
    const shown = profileShown(r, viewerId);
    const live = shown && presence(r);
    return {
      id: r.user_id,
      name: shown ? r.name : null,
      phone: numberShown(r, viewerId) ? r.phone : '',
      status: shownStatus(r),
      role: r.role,
      joined_at: iso(r.joined_at),
      // Reading is activity too: a request's sender does not learn it was read.
      last_read_seq: shown ? r.last_read_seq : 0,
      online: live && this.#isOnline(r.user_id),
      last_seen_at: live ? isoOrNull(r.last_seen_at) : null,
    };
  }

  async #kind(roomId: string): Promise<RoomKind | undefined> {
    const room = await this.#db
      .selectFrom('rooms')
      .select('kind')
      .where('id', '=', roomId)
      .executeTakeFirst();
    return room?.kind;
  }

  /** The people `userId` has a direct room with that both accepted. */
  async #directPartners(userId: string): Promise<Set<string>> {
    const rows = await this.#db
      .selectFrom('memberships as mine')
      .innerJoin('rooms as r', 'r.id', 'mine.room_id')
      .innerJoin('memberships as theirs', 'theirs.room_id', 'mine.room_id')
      .select('theirs.user_id')
      .where('mine.user_id', '=', userId)
      .where('r.kind', '=', 'direct')
      .where('mine.state', '=', 'active')
      .where('theirs.state', '=', 'active')
      .where('theirs.user_id', '!=', userId)
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }
}

/** Non-members get the same answer as for a room that does not exist: ids reveal nothing. */
export const roomNotFound = (): AppError =>
  new AppError('ROOM_NOT_FOUND', 404, 'No such conversation, or you are not in it.');

function encodeCursor(at: number, id: string): string {
  return Buffer.from(`${String(at)}.${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const dot = text.indexOf('.');
  const at = Number(text.slice(0, dot));
  const id = text.slice(dot + 1);
  if (dot <= 0 || !Number.isSafeInteger(at) || id === '' || id.length > 64)
    throw new AppError(
      'VALIDATION_FAILED',
      400,
      'Invalid request: cursor: not a cursor from this list.',
      {
        details: [{ path: 'cursor', message: 'not a cursor from this list' }],
      },
    );
  return { at, id };
}
