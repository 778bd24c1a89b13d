import type pg from 'pg';
import { isConnectionLost, isRepeatedClientId } from '../db/postgres-errors.js';
import type { MemberState, MessagesTable } from '../db/schema.js';
import { assignSeqs, finish, planBatch, readMarks } from './message-batch.js';
import type { MessageRequest, MessageStore, WriteResult } from './message.store.js';

/**
 * The statements of a batch, each taking whole arrays (`unnest`), so that a batch costs the
 * same handful of round trips whatever its size. Named: each connection prepares them once.
 */
const Q = {
  // Rows are locked in one fixed order (sorted ids) by every writer on every node: two batches
  // sharing rooms wait for each other instead of deadlocking. The lock is taken first, so what
  // follows (memberships, earlier client_ids, last_seq) is read after any batch that held it
  // has committed.
  lock: {
    name: 'salon_msg_lock',
    text: 'SELECT id, last_seq FROM rooms WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
  },
  // Membership state of each (room, sender) pair, and the sender's name, in one round trip.
  senders: {
    name: 'salon_msg_senders',
    text:
      'SELECT k.room_id, k.user_id, m.state, u.name ' +
      'FROM unnest($1::text[], $2::text[]) AS k(room_id, user_id) ' +
      'LEFT JOIN memberships m ON m.room_id = k.room_id AND m.user_id = k.user_id ' +
      'LEFT JOIN users u ON u.id = k.user_id',
  },
  // One index probe per message, whatever the statistics say. As a plain join, a table that
  // grew since it was last analyzed (a new installation filling up) was read whole into a hash
  // on every batch: LIMIT keeps the subquery from being flattened into such a join.
  earlier: {
    name: 'salon_msg_earlier',
    text:
      'SELECT msg.* FROM unnest($1::text[], $2::text[], $3::text[]) AS k(room_id, sender_id, client_id) ' +
      'CROSS JOIN LATERAL (SELECT * FROM messages m WHERE m.room_id = k.room_id ' +
      'AND m.sender_id = k.sender_id AND m.client_id = k.client_id LIMIT 1) msg',
  },
  replies: {
    name: 'salon_msg_replies',
    text: 'SELECT id, room_id FROM messages WHERE id = ANY($1::text[])',
  },
  // The rooms' new last_seq, the senders' read marks and the rows, in one statement. A sender
  // still pending (replying to a request or invitation) is made active by the same update that
  // moves their read mark: one update per membership row (two CTEs may not update one row).
  write: {
    name: 'salon_msg_write',
    text:
      'WITH bump AS (' +
      'UPDATE rooms r SET last_seq = v.last_seq, last_activity_at = v.at ' +
      'FROM unnest($1::text[], $2::int8[], $3::int8[]) AS v(id, last_seq, at) WHERE r.id = v.id' +
      '), marks AS (' +
      'UPDATE memberships m SET last_read_seq = v.seq, ' +
      "state = CASE WHEN v.joins THEN 'active' ELSE m.state END, " +
      'accepted_at = CASE WHEN v.joins THEN coalesce(m.accepted_at, $15::int8) ELSE m.accepted_at END ' +
      'FROM unnest($4::text[], $5::text[], $6::int8[], $16::bool[]) AS v(room_id, user_id, seq, joins) ' +
      'WHERE m.room_id = v.room_id AND m.user_id = v.user_id AND m.last_read_seq < v.seq' +
      ') INSERT INTO messages (id, room_id, seq, sender_id, client_id, body, reply_to, created_at, kind, event) ' +
      'SELECT * FROM unnest($7::text[], $8::text[], $9::int8[], $10::text[], $11::text[], ' +
      '$12::text[], $13::text[], $14::int8[], $17::text[], $18::text[])',
  },
} as const;

const UNAVAILABLE: WriteResult = {
  ok: false,
  code: 'STORE_UNAVAILABLE',
  reason:
    'The connection to the database was lost while storing the message, so it may not have been stored. Send it again: a repeat is stored once.',
};

/**
 * The PostgreSQL store: group commit on each node, safe beside other nodes writing to the same
 * rooms. A batch is one transaction: lock its rooms (sorted), read, decide (message-batch.ts,
 * the same planner as SQLite's), number each room's messages from the locked `last_seq`, insert.
 * Per-room `seq` is therefore gapless and in commit order across nodes, and a client_id repeated
 * through two nodes at once is stored by the first and found by the second.
 *
 * Losing the connection mid-batch answers every request with STORE_UNAVAILABLE (retryable);
 * PostgreSQL rolls an unfinished transaction back, so nothing is half-stored. Other errors
 * (e.g. a deadlock with an unrelated transaction) throw, and the job retries the batch.
 */
export class PostgresMessageStore implements MessageStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Opens a connection and prepares the batch's named statements on it (each run once on empty
   * arrays, in a transaction rolled back), so that the first batch after a start neither connects
   * nor parses. The pool hands the most recently released idle connection out first.
   */
  async warm(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query({ ...Q.lock, values: [[]] });
      await client.query({ ...Q.senders, values: [[], []] });
      await client.query({ ...Q.earlier, values: [[], [], []] });
      await client.query({ ...Q.replies, values: [[]] });
      const none: string[] = [];
      await client.query({
        ...Q.write,
        values: [...Array.from({ length: 14 }, () => none), Date.now(), none, none, none],
      });
      await client.query('ROLLBACK');
      client.release();
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
  }

  async writeBatch(requests: readonly MessageRequest[]): Promise<WriteResult[]> {
    if (requests.length === 0) return [];
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      if (isConnectionLost(err)) return requests.map(() => UNAVAILABLE);
      throw err;
    }
    try {
      const results = await transaction(client, requests);
      client.release();
      return results;
    } catch (err) {
      const lost = isConnectionLost(err);
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed is dropped from the pool rather than reused.
      client.release(lost ? (err as Error) : undefined);
      if (lost) return requests.map(() => UNAVAILABLE);
      throw err;
    }
  }
}

/**
 * The batch's transaction. Repeated client_ids are rare (a client resending what it did not hear
 * acknowledged), and looking them up costs a probe per message (a fifth of a batch's time in
 * PostgreSQL): so a batch first goes without the lookup, and the unique (room, sender, client_id)
 * index catches a repeat. Then the transaction is rolled back and the batch redone with the
 * lookup, which answers the repeat with the message stored first.
 */
async function transaction(
  client: pg.PoolClient,
  requests: readonly MessageRequest[],
): Promise<WriteResult[]> {
  await client.query('BEGIN');
  let results: WriteResult[];
  try {
    results = await write(client, requests, { lookUpRepeats: false });
  } catch (err) {
    if (!isRepeatedClientId(err)) throw err;
    await client.query('ROLLBACK');
    await client.query('BEGIN');
    results = await write(client, requests, { lookUpRepeats: true });
  }
  await client.query('COMMIT');
  return results;
}

async function write(
  client: pg.PoolClient,
  requests: readonly MessageRequest[],
  opts: { lookUpRepeats: boolean },
): Promise<WriteResult[]> {
  const roomIds = unique(requests.map((r) => r.roomId));
  const locked = await client.query<{ id: string; last_seq: number }>({
    ...Q.lock,
    values: [roomIds],
  });
  // Locked: no other writer can change these before this transaction ends.
  const lastSeq = new Map(locked.rows.map((r) => [r.id, r.last_seq]));

  const pairs = uniqueBy(requests, (r) => `${r.roomId}\n${r.senderId}`);
  const senders = await client.query<{
    room_id: string;
    user_id: string;
    state: MemberState | null;
    name: string | null;
  }>({
    ...Q.senders,
    values: [pairs.map((r) => r.roomId), pairs.map((r) => r.senderId)],
  });
  const memberStates = new Map<string, MemberState>();
  const nameOf = new Map<string, string | null>();
  for (const row of senders.rows) {
    if (row.state !== null) memberStates.set(`${row.room_id}\n${row.user_id}`, row.state);
    nameOf.set(row.user_id, row.name);
  }
  const name = (id: string): string | null => nameOf.get(id) ?? null;

  const earlier = opts.lookUpRepeats
    ? await earlierSends(client, requests)
    : new Map<string, MessagesTable>();

  const replyIds = unique(requests.flatMap((r) => (r.replyTo === null ? [] : [r.replyTo])));
  const replyRoom = new Map<string, string>();
  if (replyIds.length > 0) {
    const rows = await client.query<{ id: string; room_id: string }>({
      ...Q.replies,
      values: [replyIds],
    });
    for (const m of rows.rows) replyRoom.set(m.id, m.room_id);
  }

  const plan = planBatch(
    requests,
    {
      memberState: (roomId, userId) => memberStates.get(`${roomId}\n${userId}`),
      earlier: (roomId, senderId, clientId) => earlier.get(`${roomId}\n${senderId}\n${clientId}`),
      roomOf: (id) => replyRoom.get(id),
      nameOf: name,
    },
    Date.now(),
  );
  if (plan.accepted.length === 0) return finish(plan, name);

  const bumpIds: string[] = [];
  const bumpSeqs: number[] = [];
  const bumpAts: number[] = [];
  for (const [roomId, rows] of plan.perRoom) {
    const last = lastSeq.get(roomId);
    if (last === undefined) throw new Error(`room ${roomId} vanished during a message batch`);
    assignSeqs(rows, last + rows.length);
    bumpIds.push(roomId);
    bumpSeqs.push(last + rows.length);
    bumpAts.push(rows[0]?.created_at ?? Date.now());
  }
  const rows = plan.accepted.map((a) => a.row);
  const marks = readMarks(plan);
  const joins = new Set(plan.joins.map((j) => `${j.roomId}\n${j.userId}`));
  await client.query({
    ...Q.write,
    values: [
      bumpIds,
      bumpSeqs,
      bumpAts,
      marks.map((m) => m.roomId),
      marks.map((m) => m.userId),
      marks.map((m) => m.seq),
      rows.map((r) => r.id),
      rows.map((r) => r.room_id),
      rows.map((r) => r.seq),
      rows.map((r) => r.sender_id),
      rows.map((r) => r.client_id),
      rows.map((r) => r.body),
      rows.map((r) => r.reply_to),
      rows.map((r) => r.created_at),
      Date.now(),
      marks.map((m) => joins.has(`${m.roomId}\n${m.userId}`)),
      rows.map((r) => r.kind),
      rows.map((r) => r.event),
    ],
  });
  return finish(plan, name);
}

/** Messages stored before with the batch's (room, sender, client_id)s, by those three. */
async function earlierSends(
  client: pg.PoolClient,
  requests: readonly MessageRequest[],
): Promise<Map<string, MessagesTable>> {
  const triples = uniqueBy(requests, (r) => `${r.roomId}\n${r.senderId}\n${r.clientId}`);
  const rows = await client.query<MessagesTable>({
    ...Q.earlier,
    values: [
      triples.map((r) => r.roomId),
      triples.map((r) => r.senderId),
      triples.map((r) => r.clientId),
    ],
  });
  return new Map(rows.rows.map((m) => [`${m.room_id}\n${m.sender_id}\n${m.client_id}`, m]));
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}
