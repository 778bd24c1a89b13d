import pg from 'pg';
import type { Logger } from 'pino';

/** PostgreSQL type oids whose default parsing Salon replaces. */
const INT8 = 20;

/**
 * Every `bigint` Salon stores is a millisecond timestamp, a `seq` or a count: far below 2^53. pg
 * returns int8 as strings by default (it cannot know that); Salon's types and the protocol say
 * numbers, so int8 is parsed as a number here, for this pool only (pg's global parsers stay as
 * they are for anyone else in the process). A value past 2^53 would be a bug: it throws rather
 * than round silently.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is past 2^53`);
  return n;
}

const types = new pg.TypeOverrides();
types.setTypeParser(INT8, 'text', parseInt8);

export interface PostgresPoolOptions {
  /** Most connections the pool opens. */
  max: number;
  log?: Logger;
}

/** A `pg` pool for `url` with Salon's type parsers; a dropped connection is logged, never fatal. */
export function createPostgresPool(url: string, options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    types,
    // Fail fast when the server is unreachable: senders get a retryable error, not a hang.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'salon',
  });
  const onError = (err: Error): void => {
    options.log?.warn({ err }, 'PostgreSQL connection lost');
  };
  // An idle connection that dies is reported by the pool; one that dies while checked out (in a
  // transaction, between two queries) is reported by its client, which nobody else listens to:
  // without a listener that 'error' event would end the process.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
