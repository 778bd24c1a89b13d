import type { Database } from '../../src/db/schema.js';
import type { TestServer } from './salon-server.js';

const TABLES: readonly (keyof Database)[] = [
  'users',
  'sessions',
  'otp_codes',
  'rooms',
  'memberships',
  'messages',
  'blocks',
];

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
