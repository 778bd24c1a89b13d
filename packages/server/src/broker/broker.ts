/** Where a durable broadcast sits in its stream (AnyCable's stream position). */
export interface StreamPosition {
  stream: string;
  /** Identifies the history store's lifetime: positions from another epoch are not comparable. */
  epoch: string;
  /** 1, 2, 3… per stream. */
  offset: number;
}

export interface HistoryEntry {
  message: object;
  position: StreamPosition;
}

export type HistoryQuery = { epoch: string; offset: number } | { sinceMs: number };

export type HistoryResult =
  { ok: true; entries: HistoryEntry[] } | { ok: false; reason: 'epoch_mismatch' | 'evicted' };

/** Hands a broadcast to this node's subscribers of `stream`. */
export type LocalDelivery = (
  stream: string,
  message: object,
  position: StreamPosition | undefined,
) => void;

/**
 * Every broadcast goes through the broker. In one process it delivers locally; a cluster broker
 * publishes through Redis so that every node's subscribers receive it. Durable broadcasts get a
 * stream position and are kept for `history`; ephemeral ones (typing, presence) are not.
 */
export interface Broker {
  publish(stream: string, message: object, options?: { durable?: boolean }): void;
  history(stream: string, query: HistoryQuery): HistoryResult;
  close(): Promise<void>;
}
