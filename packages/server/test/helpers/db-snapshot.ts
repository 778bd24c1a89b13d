import { COPY_TABLES } from '../../src/db/copy-tables.js';
import type { TestServer } from './salon-server.js';
import { waitFor } from './wait-for.js';

/** Every table Salon stores: the list `salon db copy` moves (kept complete by its own test). */
const TABLES = COPY_TABLES;

/**
 * Every row of every table as one string, rows in a fixed order: two snapshots are equal exactly
 * when nothing was written in between (a refused request must leave it so).
 */
export async function dbSnapshot(server: TestServer): Promise<string> {
  const tables: string[] = [];
  for (const table of TABLES) {
    const rows = await server.salon.db.selectFrom(table).selectAll().execute();
    const lines = rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    tables.push(`${table}: ${lines.sort().join('\n')}`);
  }
  return tables.join('\n');
}

/**
 * Waits out what an accepted request or action still writes after its answer (a message is
 * stored by the message job; a new group's "created" event too), so that the next refusal's
 * "nothing written" sees only its own effects.
 */
export async function settled(server: TestServer): Promise<void> {
  let last = await dbSnapshot(server);
  await waitFor(
    'the writes of an accepted request to settle',
    async () => {
      if (server.salon.jobs.pending > 0) return false;
      const now = await dbSnapshot(server);
      const same = now === last;
      last = now;
      return same;
    },
    10_000,
    50,
  );
}
