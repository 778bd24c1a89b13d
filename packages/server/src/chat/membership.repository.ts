import type { Db } from '../db/database.js';
import { prepareQuery } from '../db/prepared-query.js';
import type { MemberState } from '../db/schema.js';

/** Who belongs to which room. */
export class MembershipRepository {
  readonly #db: Db;
  /** Run for every subscription: compiled once (see prepared-query.ts). */
  readonly #stateOf: (roomId: string, userId: string) => Promise<{ state: MemberState }[]>;

  constructor(db: Db) {
    this.#db = db;
    this.#stateOf = prepareQuery(db, (roomId: string, userId: string) =>
      db
        .selectFrom('memberships')
        .select('state')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId),
    );
  }

  /** Members may subscribe and read; a declined request is no membership. */
  async isMember(roomId: string, userId: string): Promise<boolean> {
    const state = await this.state(roomId, userId);
    return state !== undefined && state !== 'declined';
  }

  async state(roomId: string, userId: string): Promise<MemberState | undefined> {
    const [row] = await this.#stateOf(roomId, userId);
    return row?.state;
  }

  /** Every room `userId` is in, as ids (one indexed read: the inbox follows them all). */
  async roomsOf(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('memberships')
      .select('room_id')
      .where('user_id', '=', userId)
      .where('state', '!=', 'declined')
      .execute();
    return rows.map((r) => r.room_id);
  }
}
