import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * PostgreSQL checks a foreign key with a trigger that runs a query for every inserted row: on a
 * batch of messages, about a quarter of the insert's time went to checking, again, what the
 * message path has just checked. Every message is stored by a batch that holds its room's row
 * locked (the lock query found it) and has found the sender's membership (whose own keys point
 * at the user); rooms and users are never deleted. So on PostgreSQL `messages` keeps its
 * indexes and checks, without the two foreign keys. SQLite checks a key with an index probe
 * inside the insert, cheap enough to keep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema.alterTable('messages').dropConstraint('messages_room_id_fkey').execute();
  await db.schema.alterTable('messages').dropConstraint('messages_sender_id_fkey').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema
    .alterTable('messages')
    .addForeignKeyConstraint('messages_room_id_fkey', ['room_id'], 'rooms', ['id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .alterTable('messages')
    .addForeignKeyConstraint('messages_sender_id_fkey', ['sender_id'], 'users', ['id'])
    .execute();
}
