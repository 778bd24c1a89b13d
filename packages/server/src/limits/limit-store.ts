import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  RateLimiterMemory,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { ensurePrivateDir, ensurePrivateFile } from '../private-files.js';

/** One kind of limit: `points` per `durationSeconds` (a fixed window from the first point). */
export interface LimitSpec {
  /** Unique per limit: the keys of different limits never meet. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /**
   * A window of a second or so: a restart hands out at most one fresh window, which the next
   * second hands out anyway, so one node keeps it in memory rather than writing a row per point.
   * (A cluster still shares it, so that spreading over nodes gains nothing.)
   */
  shortWindow?: true;
}

/**
 * Where limit counters live, chosen once at start (as a Kysely Dialect is): counters must
 * survive a restart, or a restart would hand an attacker a fresh budget. One node keeps them in
 * an SQLite file of their own beside the database; the cluster issue puts them in Redis.
 */
export interface LimitStore {
  limiter(spec: LimitSpec): RateLimiterAbstract;
  close(): void;
}

const TABLE = 'rate_limits';
/** How often expired counters are swept, ms. */
const SWEEP_MS = 5 * 60_000;

/**
 * Counters in `<dataDir>/limits.db`, a file apart from the chat database so that a counter's
 * write never waits behind the message writer's commit. WAL with synchronous=NORMAL: a commit
 * survives the process dying (what matters for limits) without an fsync per request.
 */
export class SqliteLimitStore implements LimitStore {
  readonly #db: SQLite.Database;
  readonly #sweeper: NodeJS.Timeout;

  constructor(file: string) {
    if (file !== ':memory:') {
      ensurePrivateDir(path.dirname(file));
      // Owner-only before SQLite opens it (SQLite gives its -wal and -shm files the same mode).
      ensurePrivateFile(file);
    }
    this.#db = new SQLite(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 1000');
    this.#db
      .prepare(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`,
      )
      .run();
    const sweep = this.#db.prepare(`DELETE FROM ${TABLE} WHERE expire < ?`);
    this.#sweeper = setInterval(() => sweep.run(Date.now()), SWEEP_MS);
    this.#sweeper.unref();
  }

  limiter(spec: LimitSpec): RateLimiterAbstract {
    if (spec.shortWindow)
      return new RateLimiterMemory({
        keyPrefix: spec.keyPrefix,
        points: spec.points,
        duration: spec.durationSeconds,
      });
    return new RateLimiterSQLite({
      storeClient: this.#db,
      storeType: 'better-sqlite3',
      tableName: TABLE,
      tableCreated: true,
      keyPrefix: spec.keyPrefix,
      points: spec.points,
      duration: spec.durationSeconds,
    });
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#db.close();
  }
}
