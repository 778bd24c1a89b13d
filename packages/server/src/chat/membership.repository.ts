import type { Db } from '../db/database.js';

/** Who belongs to which room. */
export class MembershipRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async isMember(roomId: string, userId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('memberships')
      .select('user_id')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
