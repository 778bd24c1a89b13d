import type { Database } from './schema.js';

/**
 * Every table `salon db copy` moves, parents before children (foreign keys hold at each insert).
 * A migration that adds a table adds it here too: copy-tables.test.ts fails until it does, so
 * that no installation is moved without it. Kysely's own migration tables are not copied: the
 * target is migrated by the same history.
 */
export const COPY_TABLES: readonly (keyof Database)[] = [
  'users',
  'sessions',
  'otp_codes',
  'rooms',
  'memberships',
  'messages',
  'blocks',
];

/** Tables that are not data: the migrator's bookkeeping. */
export const MIGRATOR_TABLES: readonly string[] = ['kysely_migration', 'kysely_migration_lock'];
