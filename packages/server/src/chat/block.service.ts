import type { BlockedUserView } from '@salon/protocol';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { RoomService } from './room.service.js';
import type { UserRepository } from './user.repository.js';
import { iso } from './views.js';

/**
 * Blocking: the blocked person can no longer reach the blocker (their direct conversation is left,
 * their pending invitations declined, new requests and invitations from them never arrive), and
 * presence stops both ways because it flows only through an accepted direct conversation. The
 * blocked person is not told: to them the blocker looks like someone who has not answered.
 */
export class BlockService {
  readonly #db: Db;
  readonly #users: UserRepository;
  readonly #rooms: RoomService;

  constructor(db: Db, users: UserRepository, rooms: RoomService) {
    this.#db = db;
    this.#users = users;
    this.#rooms = rooms;
  }

  async block(blockerId: string, blockedId: string): Promise<void> {
    if (blockerId === blockedId)
      throw new AppError('CANNOT_BLOCK_SELF', 400, 'You cannot block yourself.');
    if (!(await this.#users.byId(blockedId)))
      throw new AppError('USER_NOT_FOUND', 404, `No user with id ${JSON.stringify(blockedId)}.`);
    await this.#db
      .insertInto('blocks')
      .values({ blocker_id: blockerId, blocked_id: blockedId, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
      .execute();
    await this.#rooms.withdrawFrom(blockerId, blockedId);
  }

  /** Unblocking lets them reach the blocker again; it does not bring back what was left. */
  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.#db
      .deleteFrom('blocks')
      .where('blocker_id', '=', blockerId)
      .where('blocked_id', '=', blockedId)
      .execute();
  }

  async blocked(blockerId: string): Promise<BlockedUserView[]> {
    const rows = await this.#db
      .selectFrom('blocks as b')
      .innerJoin('users as u', 'u.id', 'b.blocked_id')
      .select(['u.id', 'u.name', 'u.phone', 'b.created_at'])
      .where('b.blocker_id', '=', blockerId)
      .orderBy('b.created_at', 'desc')
      .execute();
    if (rows.length === 0) return [];
    // A name shows here only where it showed before: someone blocked while their request or
    // invitation was pending (their profile hidden) stays a number.
    const shown = await this.#db
      .selectFrom('memberships as theirs')
      .innerJoin('memberships as mine', 'mine.room_id', 'theirs.room_id')
      .select('theirs.user_id')
      .distinct()
      .where('mine.user_id', '=', blockerId)
      .where(
        'theirs.user_id',
        'in',
        rows.map((r) => r.id),
      )
      .where('theirs.accepted_at', 'is not', null)
      .execute();
    const named = new Set(shown.map((r) => r.user_id));
    return rows.map((r) => ({
      id: r.id,
      name: named.has(r.id) ? r.name : null,
      phone: r.phone,
      blocked_at: iso(r.created_at),
    }));
  }
}
