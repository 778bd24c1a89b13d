import type { Migration, MigrationProvider } from 'kysely';
import * as identity from './0001-identity.js';
import * as chat from './0002-chat.js';
import * as consent from './0003-consent.js';
import * as textColumns from './0004-text-columns.js';
import * as groupEvents from './0005-group-events.js';
import * as messageChecks from './0006-message-checks.js';

/** Versioned migrations, in order. Names sort; a released migration is never edited. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-identity': identity,
  '0002-chat': chat,
  '0003-consent': consent,
  '0004-text-columns': textColumns,
  '0005-group-events': groupEvents,
  '0006-message-checks': messageChecks,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
