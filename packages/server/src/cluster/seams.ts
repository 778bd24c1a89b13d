/**
 * The per-node state a cluster must share, as interfaces. Each has a memory version (one process)
 * and a Redis version (cluster mode); node-backend.ts picks one set at start.
 */

/** ext session restore (`?sid=`): the subscriptions of a dropped ext connection, for a while. */
export interface RestoreStore {
  save(sid: string, userId: string, identifiers: string[]): void;
  /** Takes (and forgets) the snapshot of `sid` if it belongs to `userId` and is fresh. */
  take(sid: string, userId: string): Promise<string[] | undefined>;
}

/**
 * Who is connected, counted across the cluster: the per-user connection cap, and the
 * online/offline state that presence announces.
 */
export interface PresenceTracker {
  /** Counts one more connection of `userId` unless they already hold `cap`; false when full. */
  admit(userId: string, cap: number): Promise<boolean>;
  /** A connection that `admit` counted has closed. */
  release(userId: string): void;
  /** Whether `userId` has a connection on any node. */
  connected(userId: string): Promise<boolean>;
  /**
   * Records the state presence announces for `userId`; resolves true only for the one caller
   * that changed it (so one change is announced once, whichever node sees it).
   */
  announce(userId: string, online: boolean): Promise<boolean>;
  /** The state last announced, as this node knows it (snapshots read it synchronously). */
  isAnnouncedOnline(userId: string): boolean;
  /** Users whose connections vanished without a close (a dead node): presence rechecks them. */
  onLost(listener: (userIds: string[]) => void): void;
  close(): Promise<void>;
}

/** Whether the node can serve: one node always can; a cluster node needs Redis. */
export interface NodeHealth {
  readonly healthy: boolean;
  /** What is wrong, for /healthz. */
  readonly problem: string | undefined;
  onChange(listener: (healthy: boolean) => void): void;
}
