import pino from 'pino';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { Publisher } from '../../src/broker/broker.js';
import { MessageJob } from '../../src/chat/message-job.js';
import type { MessageRequest } from '../../src/chat/message.store.js';
import { PostgresMessageStore } from '../../src/chat/postgres-message-store.js';
import { PostgresRoomOrderLock } from '../../src/chat/room-order-lock.js';
import type { PostgresBackend } from '../../src/db/database-backend.js';
import { createPostgresPool } from '../../src/db/postgres-pool.js';
import { seedGroupRooms } from '../helpers/seed-rooms.js';
import { freshPgDatabase, openTestBackend } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The order of a room's broadcasts when several nodes write it: each node numbers messages under
 * the room's row lock, which ends at COMMIT, and publishes afterwards. The room order lock holds
 * the rooms from before numbering until the bus has the broadcasts.
 */

const ROOMS = ['r1', 'r2', 'r3'];
const USERS = ['ann', 'bob'];

async function setup(): Promise<{ url: string; backend: PostgresBackend }> {
  const url = await freshPgDatabase();
  const backend = await openTestBackend('postgres', { url });
  if (backend.kind !== 'postgres') throw new Error('expected PostgreSQL');
  await seedGroupRooms(backend.db, ROOMS, USERS);
  return { url, backend };
}

function pool(url: string) {
  const p = createPostgresPool(url, { max: 3 });
  onTestFinished(() => p.end());
  return p;
}

/** Connections waiting for an advisory lock right now. */
async function waitingForRooms(backend: PostgresBackend): Promise<number> {
  const { rows } = await backend.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
  );
  return rows[0]?.n ?? 0;
}

/**
 * One bus shared by the "nodes": each node reaches it through its own connection, in order,
 * with a little latency that varies (what a node's link to Redis does).
 */
class Bus {
  readonly heard: { stream: string; seq: number }[] = [];

  node(): Publisher {
    let chain = Promise.resolve();
    const heard = this.heard;
    return {
      publish(stream, message) {
        const seq = (message as { message?: { seq?: number } }).message?.seq;
        chain = chain
          .then(() => new Promise((resolve) => setTimeout(resolve, Math.random() * 3)))
          .then(() => {
            if (seq !== undefined) heard.push({ stream, seq });
          });
      },
      settled: () => chain,
      control() {},
    };
  }

  seqsOf(stream: string): number[] {
    return this.heard.filter((h) => h.stream === stream).map((h) => h.seq);
  }
}

let n = 0;
function req(roomId: string, senderId: string): MessageRequest {
  const id = String(++n);
  return { requestId: `q${id}`, roomId, senderId, clientId: `c${id}`, body: id, replyTo: null };
}

describe('the room order lock (PostgreSQL advisory locks)', () => {
  test('a node holding rooms makes the others wait for those rooms only', async () => {
    const { url, backend } = await setup();
    const a = new PostgresRoomOrderLock(pool(url));
    const b = new PostgresRoomOrderLock(pool(url));
    const c = new PostgresRoomOrderLock(pool(url));
    const releaseA = await a.hold(['r1', 'r2']);
    let bHeld = false;
    const bHolding = b.hold(['r2', 'r3']).then((release) => {
      bHeld = true;
      return release;
    });
    await waitFor('b waits for r2', async () => (await waitingForRooms(backend)) === 1);
    // Rooms nobody holds are taken at once.
    const releaseC = await c.hold(['r3']);
    await releaseC();
    expect(bHeld).toBe(false);
    await releaseA();
    const releaseB = await bHolding;
    expect(await waitingForRooms(backend)).toBe(0);
    await releaseB();
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('nodes holding the same rooms named in opposite orders never deadlock', async () => {
    const { url } = await setup();
    const locks = [0, 1, 2].map(() => new PostgresRoomOrderLock(pool(url)));
    for (const lock of locks) onTestFinished(() => lock.close());
    const orders = [ROOMS, [...ROOMS].reverse(), ['r2', 'r3', 'r1']];
    await Promise.all(
      locks.map(async (lock, i) => {
        for (let round = 0; round < 40; round++) {
          const release = await lock.hold(orders[i] ?? ROOMS);
          await new Promise(setImmediate);
          await release();
        }
      }),
    );
  });

  test('a node whose connection dies lets go of its rooms, and its next batch holds on a new one', async () => {
    const { url, backend } = await setup();
    const a = new PostgresRoomOrderLock(pool(url));
    const b = new PostgresRoomOrderLock(pool(url));
    await a.hold(['r1']);
    const bHolding = b.hold(['r1']);
    await waitFor('b waits for r1', async () => (await waitingForRooms(backend)) === 1);
    // The holder's backend goes away (a crash, a restart, a network cut).
    await backend.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted",
    );
    const releaseB = await bHolding;
    await releaseB();
    // A's next batch finds its connection gone and takes a new one.
    const releaseA = await a.hold(['r1']);
    await releaseA();
    await Promise.all([a.close(), b.close()]);
  });
});

describe('two nodes writing the same rooms', () => {
  test('the bus hears every room in seq order, the order it was stored in', async () => {
    const { url } = await setup();
    const bus = new Bus();
    const log = pino({ level: 'silent' });
    const node = () => {
      const p = pool(url);
      const orderLock = new PostgresRoomOrderLock(p);
      // Registered after the pool's end: runs before it, so the pool has its connection back.
      onTestFinished(() => orderLock.close());
      return new MessageJob(new PostgresMessageStore(p), bus.node(), log, { orderLock });
    };
    const nodes = [node(), node()];
    await Promise.all(
      nodes.map(async (job, i) => {
        for (let round = 0; round < 30; round++) {
          const batch = Array.from({ length: 1 + (round % 4) }, (_, k) =>
            req(ROOMS[(round + k + i) % ROOMS.length] ?? 'r1', USERS[i] ?? 'ann'),
          );
          await job.runBatch(batch);
        }
      }),
    );
    for (const room of ROOMS) {
      const seqs = bus.seqsOf(`room:${room}`);
      expect(seqs.length, room).toBeGreaterThan(0);
      expect(seqs, room).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });
});
