/**
 * Whether `err` means the connection to PostgreSQL is gone (or could not be made), as opposed to
 * an error in what was asked. After such an error a transaction is either rolled back by the
 * server or, if the connection died during COMMIT, possibly committed: the caller cannot know,
 * so it answers "retry" and relies on client_id to make the retry safe.
 */
export function isConnectionLost(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception); 57P01-57P03: the server terminated the backend
    // (pg_terminate_backend, shutdown, crash) or is starting up.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code)) return true;
    // 53300: too many connections; 55000 with this message: the database refuses connections
    // for now (taken offline for maintenance, as a restart looks to a client).
    if (code === '53300') return true;
    if (code === '55000' && /not currently accepting connections/i.test(err.message)) return true;
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(
        code,
      )
    )
      return true;
  }
  return /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed/i.test(
    err.message,
  );
}

/**
 * Whether `err` is an insert refused because the (room, sender, client_id) was stored already:
 * the message store's sign to look the repeat up (chat/postgres-message-store.ts).
 */
export function isRepeatedClientId(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'messages_room_sender_client';
}
