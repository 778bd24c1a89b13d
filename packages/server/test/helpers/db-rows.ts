import type { TestServer } from './salon-server.js';

export interface RowCounts {
  users: number;
  sessions: number;
  otp_codes: number;
}

/** How many rows each identity table holds, read through the server's own Kysely instance. */
export async function rowCounts(server: TestServer): Promise<RowCounts> {
  const db = server.salon.db;
  const count = async (table: keyof RowCounts): Promise<number> => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    users: await count('users'),
    sessions: await count('sessions'),
    otp_codes: await count('otp_codes'),
  };
}
