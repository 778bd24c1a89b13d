import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { prepareQuery } from '../db/prepared-query.js';
import type { User } from '../db/schema.js';
import { generateToken, hashToken } from './secrets.js';

export interface Session {
  id: string;
  userId: string;
  expiresAt: number;
}

export interface AuthContext {
  session: Session;
  user: User;
}

/** Sign-in sessions: opaque bearer tokens, stored only as hashes, revocable at once. */
export class SessionService {
  readonly #db: Db;
  readonly #liveByTokenHash: (hash: string, now: number) => Promise<LiveSessionRow[]>;
  readonly #liveById: (id: string, now: number) => Promise<LiveSessionRow[]>;
  readonly #ttlMs: number;

  constructor(db: Db, ttlDays: number) {
    this.#db = db;
    // Run for every connection opened: compiled once (see prepared-query.ts).
    this.#liveByTokenHash = prepareQuery(db, (hash: string, now: number) =>
      liveSessions(db, 'sessions.token_hash', hash, now),
    );
    this.#liveById = prepareQuery(db, (id: string, now: number) =>
      liveSessions(db, 'sessions.id', id, now),
    );
    this.#ttlMs = ttlDays * 24 * 3600 * 1000;
  }

  /** Finds or creates the user of `phone` (E.164) and opens a session for them. */
  async signIn(
    phone: string,
    userAgent: string | undefined,
  ): Promise<{ token: string; user: User }> {
    const now = Date.now();
    const token = generateToken();
    const user = await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: randomUUID(),
          phone,
          name: null,
          created_at: now,
          last_seen_at: null,
          signed_in_at: now,
        })
        .onConflict((oc) => oc.column('phone').doUpdateSet({ signed_in_at: now }))
        .execute();
      const u = await trx
        .selectFrom('users')
        .selectAll()
        .where('phone', '=', phone)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('sessions')
        .values({
          id: randomUUID(),
          user_id: u.id,
          token_hash: hashToken(token),
          created_at: now,
          expires_at: now + this.#ttlMs,
          revoked_at: null,
          user_agent: userAgent?.slice(0, 512) ?? null,
        })
        .execute();
      return u;
    });
    return { token, user };
  }

  /** The live session and user behind `token`, or undefined. */
  async authenticate(token: string): Promise<AuthContext | undefined> {
    if (token.length === 0 || token.length > 256) return undefined;
    return this.#findLive('sessions.token_hash', hashToken(token));
  }

  /** The live session `sessionId` and its user, or undefined (revoked, expired, unknown). */
  authenticateSession(sessionId: string): Promise<AuthContext | undefined> {
    return this.#findLive('sessions.id', sessionId);
  }

  async #findLive(
    column: 'sessions.token_hash' | 'sessions.id',
    value: string,
  ): Promise<AuthContext | undefined> {
    const find = column === 'sessions.id' ? this.#liveById : this.#liveByTokenHash;
    const [row] = await find(value, Date.now());
    if (!row) return undefined;
    return {
      session: { id: row.session_id, userId: row.id, expiresAt: row.expires_at },
      user: {
        id: row.id,
        phone: row.phone,
        name: row.name,
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
        group_adds: row.group_adds,
        signed_in_at: row.signed_in_at,
      },
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

/** The live session whose `column` (unique) is `value`, with its user. */
function liveSessions(
  db: Db,
  column: 'sessions.token_hash' | 'sessions.id',
  value: string,
  now: number,
) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.expires_at',
      'users.id',
      'users.phone',
      'users.name',
      'users.created_at',
      'users.last_seen_at',
      'users.group_adds',
      'users.signed_in_at',
    ])
    .where(column, '=', value)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now);
}

type LiveSessionRow = Awaited<
  ReturnType<ReturnType<typeof liveSessions>['executeTakeFirstOrThrow']>
>;
