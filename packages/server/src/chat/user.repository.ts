import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { normalizePhone } from '../auth/phone.js';
import type { Db } from '../db/database.js';
import type { User } from '../db/schema.js';
import { AppError } from '../errors.js';

/** Rows per statement when many people are looked up or made at once (bounded IN lists). */
const CHUNK = 200;
/** Phone numbers parsed per event-loop turn: parsing with full metadata costs ~0.1 ms each. */
const PARSE_PER_TURN = 50;

/** Finds people by id or phone; a phone that never signed in gets a user row to be found by. */
export class UserRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async byId(id: string): Promise<User | undefined> {
    return this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Resolves a member reference (user id, or phone number in international format) to a user.
   * A phone nobody has signed in with yet gets its user now: when that person first signs in,
   * they find the conversations they were added to.
   */
  async resolve(ref: string): Promise<User> {
    const [user] = await this.resolveMany([ref]);
    if (!user) throw new Error('resolveMany lost a reference');
    return user;
  }

  /**
   * Resolves many references at once, in order, without repeats: numbers are parsed a few per
   * event-loop turn, ids looked up and new numbers made a chunk per statement, all new rows in
   * one transaction (one commit, not one per person). Throws USER_NOT_FOUND naming the first
   * unknown id, or INVALID_PHONE, before anything is written.
   */
  async resolveMany(refs: readonly string[]): Promise<User[]> {
    const phones: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] ?? '';
      if (ref.startsWith('+')) phones.push(normalizePhone(ref).e164);
      else ids.push(ref);
      if (i % PARSE_PER_TURN === PARSE_PER_TURN - 1) await nextTurn();
    }

    const byId = new Map<string, User>();
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await this.#db
        .selectFrom('users')
        .selectAll()
        .where('id', 'in', chunk)
        .execute();
      for (const r of rows) byId.set(r.id, r);
    }
    const unknown = ids.find((id) => !byId.has(id));
    if (unknown !== undefined)
      throw new AppError('USER_NOT_FOUND', 404, `No user with id ${JSON.stringify(unknown)}.`);

    const byPhone = new Map<string, User>();
    const wanted = [...new Set(phones)];
    if (wanted.length > 0) {
      const now = Date.now();
      await this.#db.transaction().execute(async (trx) => {
        for (const chunk of chunks(wanted)) {
          await trx
            .insertInto('users')
            .values(
              chunk.map((phone) => ({
                id: randomUUID(),
                phone,
                name: null,
                created_at: now,
                last_seen_at: null,
                signed_in_at: null,
              })),
            )
            .onConflict((oc) => oc.column('phone').doNothing())
            .execute();
        }
      });
      for (const chunk of chunks(wanted)) {
        const rows = await this.#db
          .selectFrom('users')
          .selectAll()
          .where('phone', 'in', chunk)
          .execute();
        for (const r of rows) byPhone.set(r.phone, r);
      }
    }

    const out: User[] = [];
    const seen = new Set<string>();
    let p = 0;
    let d = 0;
    for (const ref of refs) {
      const user = ref.startsWith('+') ? byPhone.get(phones[p++] ?? '') : byId.get(ids[d++] ?? '');
      if (user && !seen.has(user.id)) {
        seen.add(user.id);
        out.push(user);
      }
    }
    return out;
  }
}

export function* chunks<T>(items: readonly T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
