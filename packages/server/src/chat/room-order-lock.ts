import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { isConnectionLost } from '../db/postgres-errors.js';
import { createPostgresPool } from '../db/postgres-pool.js';

/** Gives the rooms back to other nodes; never rejects. */
export type ReleaseRooms = () => Promise<void>;

/**
 * Keeps each room's broadcasts in `seq` order across the nodes of a cluster. A node numbers a
 * room's messages under the room's row lock, but that lock ends at COMMIT and the broadcasts go to
 * the bus afterwards: without more, a node that committed seq 6 after another committed seq 5
 * could put 6 on the bus first, and every client would see 6 before 5. Holding the rooms from
 * before numbering until the bus has the broadcasts closes that gap.
 *
 * One node needs none of this: its message job runs one batch at a time and publishes in order.
 */
export interface RoomOrderLock {
  /** Waits until no other node is between numbering and publishing messages of these rooms. */
  hold(roomIds: readonly string[]): Promise<ReleaseRooms>;
  close(): Promise<void>;
}

const LOCK = {
  name: 'salon_room_order_lock',
  // unnest hands the keys out in array order, which is sorted: every node takes them in one
  // order, so two nodes sharing rooms wait for each other instead of deadlocking.
  text: 'SELECT pg_advisory_lock(k) FROM unnest($1::int8[]) AS k',
} as const;

/**
 * The lock as PostgreSQL session advisory locks, on a connection of its own: they outlive the
 * batch's transaction (released after the publish, not at COMMIT), and they vanish with the
 * connection, so a node that dies mid-batch never leaves a room held.
 *
 * The message store still locks the rooms' rows itself; this lock orders publishing, not
 * storing. A batch takes it before the row locks, never while holding one, so the two kinds of
 * lock cannot wait on each other in a cycle.
 */
export class PostgresRoomOrderLock implements RoomOrderLock {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  #client: pg.PoolClient | undefined;

  /**
   * The lock on a connection of its own, outside the pool of SALON_DATABASE_POOL_SIZE: taken
   * from that pool, it would leave a pool of one with no connection to store the batch it holds.
   */
  static open(url: string, log: Logger): PostgresRoomOrderLock {
    return new PostgresRoomOrderLock(createPostgresPool(url, { max: 1, log }), true);
  }

  /** On a connection of `pool`, which stays the caller's to end. */
  constructor(pool: pg.Pool, ownsPool = false) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
  }

  async hold(roomIds: readonly string[]): Promise<ReleaseRooms> {
    const keys = [...new Set(roomIds.map(lockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const values = [keys.map(String)];
    let held: pg.PoolClient;
    try {
      held = await this.#lock(values);
    } catch (err) {
      // The connection kept between batches may have died meanwhile (a PostgreSQL restart): a
      // new one is tried once before the batch fails.
      if (!isConnectionLost(err)) throw err;
      held = await this.#lock(values);
    }
    return async () => {
      try {
        await held.query('SELECT pg_advisory_unlock_all()');
      } catch (err) {
        // Closing the connection releases its locks just as well.
        this.#drop(held, err);
      }
    };
  }

  /** Takes the locks on the kept connection (opened if there is none); drops it on failure. */
  async #lock(values: string[][]): Promise<pg.PoolClient> {
    const client = (this.#client ??= await this.#pool.connect());
    try {
      await client.query({ ...LOCK, values });
      return client;
    } catch (err) {
      this.#drop(client, err);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#client?.release();
    this.#client = undefined;
    if (this.#ownsPool) await this.#pool.end();
  }

  #drop(client: pg.PoolClient, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.release(err instanceof Error ? err : new Error(String(err)));
  }
}

/** A room's advisory lock key: 64 bits of a hash of its id (a collision only over-serializes). */
function lockKey(roomId: string): bigint {
  return createHash('sha256').update(`salon room order\n${roomId}`).digest().readBigInt64BE(0);
}
