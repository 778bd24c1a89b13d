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

  /** Every room `userId` is in, as ids (one indexed read: the inbox follows them all). */
  async roomsOf(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('memberships')
      .select('room_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.room_id);
  }
}
