import pg from 'pg';
import { STORED_ROWS_SQL, type StoredRow } from './tally.js';

/** The room's stored messages in a PostgreSQL database. */
export async function readPostgres(url: string, roomId: string): Promise<StoredRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<StoredRow>(STORED_ROWS_SQL.replace('?', '$1'), [roomId]);
    return res.rows;
  } finally {
    await client.end();
  }
}
