import type { Database as BetterSqlite } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver prepares every query anew. A server runs the same few queries all day
 * (a session lookup per connection, a membership check per subscription…), so compiled
 * statements are kept by SQL text, the least recently used dropped past `max`. Queries whose text
 * varies (IN lists of different lengths) simply take more entries.
 */
export function withStatementCache(db: BetterSqlite, max = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        cache.delete(sql); // re-inserted below: Map order is recency order
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql) as unknown as SqliteStatement;
      cache.set(sql, stmt);
      if (cache.size > max) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      return stmt;
    },
    close(): void {
      cache.clear();
      db.close();
    },
  };
}
