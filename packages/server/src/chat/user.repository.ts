import { randomUUID } from 'node:crypto';
import { normalizePhone } from '../auth/phone.js';
import type { Db } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { AppError } from '../errors.js';

/** Finds people by id or phone; a phone that never signed in gets a user row to be found by. */
export class UserRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async byId(id: string): Promise<UsersTable | undefined> {
    return this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Resolves a member reference (user id, or phone number in international format) to a user.
   * A phone nobody has signed in with yet gets its user now: when that person first signs in,
   * they find the conversations they were added to.
   */
  async resolve(ref: string): Promise<UsersTable> {
    if (ref.startsWith('+')) return this.ensureByPhone(ref);
    const user = await this.byId(ref);
    if (!user) throw new AppError('USER_NOT_FOUND', 404, `No user with id ${JSON.stringify(ref)}.`);
    return user;
  }

  async ensureByPhone(phoneInput: string): Promise<UsersTable> {
    const phone = normalizePhone(phoneInput).e164;
    await this.#db
      .insertInto('users')
      .values({ id: randomUUID(), phone, name: null, created_at: Date.now(), last_seen_at: null })
      .onConflict((oc) => oc.column('phone').doNothing())
      .execute();
    return this.#db
      .selectFrom('users')
      .selectAll()
      .where('phone', '=', phone)
      .executeTakeFirstOrThrow();
  }
}
