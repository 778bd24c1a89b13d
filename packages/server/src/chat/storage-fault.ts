import { isSqliteStorageFault } from '../db/sqlite-errors.js';
import type { MessageRequest, WriteResult } from './message.store.js';

const STORAGE_FAULT: WriteResult = {
  ok: false,
  code: 'STORE_UNAVAILABLE',
  reason:
    'The server cannot write to its storage right now (disk full or failing), so the message was not stored. Send it again in a moment: a repeat is stored once.',
};

/**
 * A SQLite batch that failed on its storage answers every request with STORE_UNAVAILABLE
 * straight away (the transaction was rolled back: none of them is stored). Returns undefined for
 * any other error, which the store rethrows and the job retries with backoff as before.
 */
export function storageFaultResults(
  requests: readonly MessageRequest[],
  err: unknown,
): WriteResult[] | undefined {
  return isSqliteStorageFault(err) ? requests.map(() => STORAGE_FAULT) : undefined;
}
