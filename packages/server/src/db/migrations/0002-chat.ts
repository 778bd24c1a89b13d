import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  /** When the user's last connection closed (presence "last seen"). */
  await db.schema.alterTable('users').addColumn('last_seen_at', 'bigint').execute();

  await db.schema
    .createTable('rooms')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(8)', (c) => c.notNull().check(sqlKind()))
    .addColumn('name', 'varchar(256)')
    /** For direct rooms: "<smaller user id>:<larger user id>", unique, so a pair has one room. */
    .addColumn('direct_key', 'varchar(80)', (c) => c.unique())
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    /** Highest `seq` assigned in this room; the next message takes last_seq + 1. */
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('room_id', 'varchar(36)', (c) =>
      c.notNull().references('rooms.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('role', 'varchar(8)', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('last_read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('memberships_pk', ['room_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user_id').on('memberships').column('user_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('room_id', 'varchar(36)', (c) =>
      c.notNull().references('rooms.id').onDelete('cascade'),
    )
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'varchar(36)', (c) => c.notNull().references('users.id'))
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('reply_to', 'varchar(36)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .addUniqueConstraint('messages_room_seq', ['room_id', 'seq'])
    .addUniqueConstraint('messages_room_sender_client', ['room_id', 'sender_id', 'client_id'])
    .execute();
}

function sqlKind() {
  return sql`kind in ('direct', 'group')`;
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('messages').execute();
  await db.schema.dropTable('memberships').execute();
  await db.schema.dropTable('rooms').execute();
  await db.schema.alterTable('users').dropColumn('last_seen_at').execute();
}
