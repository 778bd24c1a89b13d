import { sql, type Kysely } from 'kysely';

/**
 * Consent and privacy: a membership may wait for its person's consent (a message request, a group
 * invitation), people block each other, and each chooses who may add them to groups. Also when a
 * number last signed in (sign-in limits serve known numbers from their own budget).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  /** `active`, `pending` (a request or invitation not yet accepted), or `declined`. */
  await db.schema
    .alterTable('memberships')
    .addColumn('state', 'varchar(8)', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(sql`state in ('active', 'pending', 'declined')`),
    )
    .execute();
  /** When the person first accepted the room (joined, accepted, replied); null while they have not. */
  await db.schema.alterTable('memberships').addColumn('accepted_at', 'bigint').execute();
  /** Who added them (a request's sender, an invitation's inviter). */
  await db.schema.alterTable('memberships').addColumn('invited_by', 'varchar(36)').execute();
  // Everyone already in a room had joined it.
  await sql`update memberships set accepted_at = joined_at`.execute(db);

  /** Who may add the user to groups directly: `everyone`, or `contacts` (others invite). */
  await db.schema
    .alterTable('users')
    .addColumn('group_adds', 'varchar(8)', (c) =>
      c
        .notNull()
        .defaultTo('everyone')
        .check(sql`group_adds in ('everyone', 'contacts')`),
    )
    .execute();
  /** When the number last completed a sign-in; null for numbers only ever added by others. */
  await db.schema.alterTable('users').addColumn('signed_in_at', 'bigint').execute();
  await sql`update users set signed_in_at = (select max(s.created_at) from sessions s where s.user_id = users.id)`.execute(
    db,
  );

  await db.schema
    .createTable('blocks')
    .addColumn('blocker_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('blocked_id', 'varchar(36)', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['blocker_id', 'blocked_id'])
    .execute();
  await db.schema.createIndex('blocks_blocked_id').on('blocks').column('blocked_id').execute();

  // The conversation list pages by last activity.
  await db.schema
    .createIndex('rooms_last_activity')
    .on('rooms')
    .columns(['last_activity_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rooms_last_activity').execute();
  await db.schema.dropTable('blocks').execute();
  await db.schema.alterTable('users').dropColumn('signed_in_at').execute();
  await db.schema.alterTable('users').dropColumn('group_adds').execute();
  await db.schema.alterTable('memberships').dropColumn('invited_by').execute();
  await db.schema.alterTable('memberships').dropColumn('accepted_at').execute();
  await db.schema.alterTable('memberships').dropColumn('state').execute();
}
