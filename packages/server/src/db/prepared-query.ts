import type { Database as BetterSqlite, Statement } from 'better-sqlite3';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/** Stands in for an argument while the query is compiled; replaced by its value on each run. */
class Slot {
  constructor(readonly index: number) {}
}

/** The better-sqlite3 connection under each Kysely that sqliteKysely() made (database.ts). */
const sqliteUnder = new WeakMap<object, BetterSqlite>();

/** Tells prepareQuery that `db` runs on `sqlite` alone, so its queries may run there directly. */
export function runsOnSqlite(db: object, sqlite: BetterSqlite): void {
  sqliteUnder.set(db, sqlite);
}

/**
 * A query built and compiled once, run many times with new arguments. Kysely builds an
 * operation tree and compiles it to SQL on every call; for the queries a server runs per
 * connection (the session lookup, the membership check) that was most of their cost. `build`
 * receives placeholders, one per argument: use each as a single value (never in an `in` list,
 * whose SQL depends on its length). Constants in the query stay as compiled.
 *
 * On SQLite the compiled statement runs on the connection directly, as Kysely's driver would run
 * it, without the driver's connection lock and promise chain (a third of a connection's
 * database time). Kysely's lock exists for its transactions, which span awaits on that one
 * connection: while one is open, the query waits for it through Kysely, so it never reads
 * another transaction's uncommitted rows.
 *
 * Usage: `const byId = prepareQuery(db, (id: string) => db.selectFrom('users').selectAll()
 * .where('id', '=', id))`, then `await byId('u1')` gives the rows.
 */
export function prepareQuery<Tables, Args extends unknown[], Row>(
  db: Kysely<Tables>,
  build: (...args: Args) => Compilable<Row>,
): (...args: Args) => Promise<Row[]> {
  const slots = Array.from({ length: build.length }, (_, i) => new Slot(i));
  const compiled = build(...(slots as unknown as Args)).compile();
  const used = new Set(compiled.parameters.flatMap((p) => (p instanceof Slot ? [p.index] : [])));
  if (used.size !== slots.length)
    throw new Error(
      `prepareQuery: each of the ${String(slots.length)} arguments must be one value`,
    );
  const bind = (args: Args): unknown[] =>
    compiled.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
  const throughKysely = async (args: Args): Promise<Row[]> => {
    // The same queryId on every run: it matters only to plugins keeping per-query state, and
    // Salon's Kysely has none.
    const query: CompiledQuery<Row> = { ...compiled, parameters: bind(args) };
    return (await db.executeQuery(query)).rows;
  };
  const sqlite = sqliteUnder.get(db);
  if (!sqlite) return (...args) => throughKysely(args);
  let statement: Statement<unknown[], Row> | undefined;
  return (...args) => {
    if (sqlite.inTransaction) return throughKysely(args);
    try {
      statement ??= sqlite.prepare<unknown[], Row>(compiled.sql);
      // A statement that returns no rows is run by Kysely's driver, which counts what it changed.
      if (!statement.reader) return throughKysely(args);
      return Promise.resolve(statement.all(bind(args)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
}
