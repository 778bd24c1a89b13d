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
 * Acting on connections wherever they are: every node applies each command to its own
 * connections. Plain data, so that a cluster broker can carry it between nodes.
 */
export type ControlCommand =
  /** The user's subscriptions that take extra streams (the inbox) start following `stream`. */
  | { type: 'follow'; user_id: string; stream: string }
  /** The user's subscriptions stop following `stream`; one left with nothing is ended. */
  | { type: 'unfollow'; user_id: string; stream: string }
  /** The session was revoked: its connections close with `unauthorized`. */
  | { type: 'close_session'; session_id: string };

/** What this node does with what the broker hands it. */
export interface LocalNode {
  deliver: LocalDelivery;
  control(command: ControlCommand): void;
}

/**
 * How the rest of the server reaches clients: broadcasts on streams, and control commands that
 * act on connections. One interface, handed to every feature that broadcasts.
 */
export interface Publisher {
  publish(stream: string, message: object, options?: { durable?: boolean }): void;
  /**
   * Resolves once every durable broadcast published before the call is on its way to every
   * node (in a cluster: Redis has it, in order); never rejects. At once in one process.
   */
  settled(): Promise<void>;
  /** Applied on every node, in order with the broadcasts published around it. */
  control(command: ControlCommand): void;
}

/**
 * Every broadcast goes through the broker. In one process it delivers locally; a cluster broker
 * publishes through Redis so that every node's subscribers receive it. Durable broadcasts get a
 * stream position and are kept for `history`; ephemeral ones (typing, presence) are not.
 */
export interface Broker extends Publisher {
  /** Asynchronous: a cluster broker reads the history from Redis. */
  history(stream: string, query: HistoryQuery): Promise<HistoryResult>;
  close(): Promise<void>;
}
