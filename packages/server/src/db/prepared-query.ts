import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/** Stands in for an argument while the query is compiled; replaced by its value on each run. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A query built and compiled once, run many times with new arguments. Kysely builds an
 * operation tree and compiles it to SQL on every call; for the queries a server runs per
 * connection (the session lookup, the membership check) that was most of their cost. `build`
 * receives placeholders, one per argument: use each as a single value (never in an `in` list,
 * whose SQL depends on its length). Constants in the query stay as compiled.
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
  return async (...args) => {
    // The same queryId on every run: it matters only to plugins keeping per-query state, and
    // Salon's Kysely has none.
    const query: CompiledQuery<Row> = {
      ...compiled,
      parameters: compiled.parameters.map((p) => (p instanceof Slot ? args[p.index] : p)),
    };
    return (await db.executeQuery(query)).rows;
  };
}
