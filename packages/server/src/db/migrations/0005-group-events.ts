import { sql, type Kysely } from 'kysely';

/**
 * Group events in the timeline (created, added, removed, left, renamed): stored as messages of
 * kind `event`, with their seq like any message, so history shows them after a reload and every
 * client gets them live. `event` is the event as JSON; the body of an event is null.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('kind', 'varchar(8)', (c) =>
      c
        .notNull()
        .defaultTo('text')
        .check(sql`kind in ('text', 'event')`),
    )
    .execute();
  await db.schema.alterTable('messages').addColumn('event', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('event').execute();
  await db.schema.alterTable('messages').dropColumn('kind').execute();
}
