import type { Db } from '../db/database.js';
import type { MemberState } from '../db/schema.js';
import { chunks } from './user.repository.js';

/**
 * Whether someone added to a room by another person is in at once or must accept first:
 *
 * - someone who blocked the adder is never told: their membership is made `declined`, which the
 *   adder cannot tell from a pending one;
 * - a direct conversation from someone one has not talked with is a request (`pending`);
 * - a group addition is direct for people whose setting is "everyone" (the default, as on
 *   WhatsApp) or who have talked with the adder, and an invitation (`pending`) otherwise.
 *
 * "Talked with" means sharing a room that both have accepted.
 */
export class Consent {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The state each of `userIds` starts in when `actorId` adds them to a room of `kind`. */
  async statesFor(
    actorId: string,
    userIds: readonly string[],
    kind: 'direct' | 'group',
  ): Promise<Map<string, MemberState>> {
    const states = new Map<string, MemberState>();
    const others = userIds.filter((id) => id !== actorId);
    for (const chunk of chunks(others)) {
      const [blockedBy, talked, restricted] = await Promise.all([
        this.#db
          .selectFrom('blocks')
          .select('blocker_id')
          .where('blocked_id', '=', actorId)
          .where('blocker_id', 'in', chunk)
          .execute(),
        this.#talkedWith(actorId, chunk),
        kind === 'group'
          ? this.#db
              .selectFrom('users')
              .select('id')
              .where('id', 'in', chunk)
              .where('group_adds', '=', 'contacts')
              .execute()
          : Promise.resolve([]),
      ]);
      const blockers = new Set(blockedBy.map((b) => b.blocker_id));
      const askFirst = new Set(restricted.map((u) => u.id));
      for (const id of chunk) {
        if (blockers.has(id)) states.set(id, 'declined');
        else if (talked.has(id)) states.set(id, 'active');
        else if (kind === 'direct' || askFirst.has(id)) states.set(id, 'pending');
        else states.set(id, 'active');
      }
    }
    return states;
  }

  /** Whether either of the two blocked the other. */
  async blockedEitherWay(a: string, b: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('blocks')
      .select('blocker_id')
      .where((eb) =>
        eb.or([
          eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]),
          eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)]),
        ]),
      )
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Those of `userIds` who share a room with `actorId` that both accepted. */
  async #talkedWith(actorId: string, userIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.#db
      .selectFrom('memberships as mine')
      .innerJoin('memberships as theirs', 'theirs.room_id', 'mine.room_id')
      .select('theirs.user_id')
      .distinct()
      .where('mine.user_id', '=', actorId)
      .where('mine.state', '=', 'active')
      .where('theirs.state', '=', 'active')
      .where('theirs.user_id', 'in', userIds)
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }
}
