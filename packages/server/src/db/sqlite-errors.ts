/**
 * Whether `err` is SQLite refusing to write because of the storage under it: the disk (or the
 * database's page limit) is full (`SQLITE_FULL`), or the operating system failed a read or write
 * (`SQLITE_IOERR` and its extended codes, e.g. `SQLITE_IOERR_WRITE`, `SQLITE_IOERR_FSYNC`).
 * SQLite rolls the transaction back, so nothing was half-stored; retrying within the same second
 * will not help (space comes back when an operator frees it), so such errors are answered at once
 * as retryable by the client instead of being retried inside the server.
 *
 * Through Kysely the original error is hidden: SQLite has already rolled the transaction back by
 * itself, and Kysely's own ROLLBACK then fails with "cannot rollback - no transaction is active",
 * which is the error the caller sees. SQLite rolls back by itself only after a full disk, an I/O
 * error, running out of memory, an interrupt or a lock it gave up waiting for: in every case the
 * transaction left nothing behind and may be sent again, so that error counts too.
 */
export function isSqliteStorageFault(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) return true;
  return code === 'SQLITE_ERROR' && err.message === 'cannot rollback - no transaction is active';
}
