import type { Ledger } from './ledger.js';

/** One stored (sender, client_id) and how many rows hold it. */
export interface StoredRow {
  sender_id: string;
  client_id: string;
  /** A number from SQLite; PostgreSQL's count(*) is a bigint, which pg hands over as a string. */
  copies: number | string;
}

/** The counts every scenario prints. */
export interface Tally {
  /** Distinct messages the clients sent (each client_id once). */
  sent: number;
  acknowledged: number;
  /** Distinct messages in the database. */
  stored: number;
  /** Acknowledged but not in the database: must be 0. */
  lost: number;
  /** Client_ids stored more than once: must be 0. */
  duplicated: number;
  /** Stored but never acknowledged (the node died between commit and answer): harmless. */
  storedUnacknowledged: number;
  /** Sent, never acknowledged and not stored (still being retried when the scenario ended). */
  unresolved: number;
  /** Sends of a client_id beyond its first. */
  resends: number;
  /** Longest wait for a refusal (an error answer), ms; undefined when nothing was refused. */
  slowestRefusalMs: number | undefined;
}

/** Compares what the clients were told with what the database holds. */
export function tally(
  ledger: Ledger,
  rows: readonly StoredRow[],
  names: Map<string, string>,
): Tally {
  const stored = new Set<string>();
  let duplicated = 0;
  for (const r of rows) {
    stored.add(`${names.get(r.sender_id) ?? r.sender_id}/${r.client_id}`);
    if (Number(r.copies) > 1) duplicated++;
  }
  let lost = 0;
  for (const key of ledger.acked) if (!stored.has(key)) lost++;
  let storedUnacknowledged = 0;
  for (const key of stored) if (!ledger.acked.has(key)) storedUnacknowledged++;
  let unresolved = 0;
  for (const key of ledger.sent) if (!ledger.acked.has(key) && !stored.has(key)) unresolved++;
  return {
    sent: ledger.sent.size,
    acknowledged: ledger.acked.size,
    stored: stored.size,
    lost,
    duplicated,
    storedUnacknowledged,
    unresolved,
    resends: ledger.resends,
    slowestRefusalMs: ledger.refusalMs.length === 0 ? undefined : Math.max(...ledger.refusalMs),
  };
}

export const STORED_ROWS_SQL =
  "SELECT sender_id, client_id, count(*) AS copies FROM messages WHERE room_id = ? AND kind = 'text' GROUP BY sender_id, client_id";
