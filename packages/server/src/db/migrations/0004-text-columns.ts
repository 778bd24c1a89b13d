import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Names as long as the protocol allows. SQLite ignores declared lengths; PostgreSQL enforces
 * them, and a name of 64 visible characters may take far more than 256 code points (an emoji
 * family is 11). The API bounds these fields (1,024 UTF-16 units), so the columns need none.
 * Numbered 0004: 0003 is the security work's, written at the same time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema
    .alterTable('users')
    .alterColumn('name', (c) => c.setDataType('text'))
    .execute();
  await db.schema
    .alterTable('rooms')
    .alterColumn('name', (c) => c.setDataType('text'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema
    .alterTable('users')
    .alterColumn('name', (c) => c.setDataType('varchar(256)'))
    .execute();
  await db.schema
    .alterTable('rooms')
    .alterColumn('name', (c) => c.setDataType('varchar(256)'))
    .execute();
}
