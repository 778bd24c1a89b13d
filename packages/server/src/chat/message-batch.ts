import type { MemberState, MessagesTable } from '../db/schema.js';
import { newMessageId } from './message-id.js';
import type { MessageRequest, WriteResult } from './message.store.js';

/** What a store looked up before deciding a batch. */
export interface BatchLookups {
  /** The sender's membership state in the room, if they have a membership. */
  memberState(roomId: string, userId: string): MemberState | undefined;
  /** The message stored earlier with this (room, sender, client_id), if any. */
  earlier(roomId: string, senderId: string, clientId: string): MessagesTable | undefined;
  /** The room a replied-to message is in, if it exists. */
  roomOf(messageId: string): string | undefined;
  nameOf(userId: string): string | null;
}

export interface BatchPlan {
  /** Decided results by request index; accepted ones are filled in once their seq is known. */
  results: (WriteResult | undefined)[];
  /** Rows to insert, in request order; `seq` is 0 until `assignSeqs`. */
  accepted: { index: number; row: MessagesTable }[];
  /** Accepted rows per room, in order: the store bumps each room's last_seq by their count. */
  perRoom: Map<string, MessagesTable[]>;
  /**
   * Senders still pending in a room (a request or invitation): replying accepts it, so the store
   * makes these memberships active in the same transaction.
   */
  joins: { roomId: string; userId: string; index: number }[];
}

/**
 * Decides a batch, the same way whatever the database: refuses non-members and replies to
 * messages of other rooms, answers repeated client_ids with the message stored first (a repeat
 * later in the same batch included), and accepts the rest in order. Pure: no I/O.
 */
export function planBatch(
  requests: readonly MessageRequest[],
  look: BatchLookups,
  now: number,
): BatchPlan {
  const results: (WriteResult | undefined)[] = [];
  const accepted: BatchPlan['accepted'] = [];
  const perRoom = new Map<string, MessagesTable[]>();
  const inBatch = new Map<string, MessagesTable>();
  const joins = new Map<string, { roomId: string; userId: string; index: number }>();
  // A sender usually has several messages in a batch: their membership is looked up once.
  const states = new Map<string, MemberState | undefined>();
  requests.forEach((r, index) => {
    const member = `${r.roomId}\n${r.senderId}`;
    let state = states.get(member);
    if (state === undefined && !states.has(member)) {
      state = look.memberState(r.roomId, r.senderId);
      states.set(member, state);
    }
    if (r.event === undefined && (state === undefined || state === 'declined')) {
      results[index] = {
        ok: false,
        code: 'NOT_A_MEMBER',
        reason: 'You are not in this conversation.',
      };
      return;
    }
    const key = `${r.roomId}\n${r.senderId}\n${r.clientId}`;
    const first = inBatch.get(key) ?? look.earlier(r.roomId, r.senderId, r.clientId);
    if (first) {
      results[index] = {
        ok: true,
        message: first,
        senderName: look.nameOf(r.senderId),
        duplicate: true,
      };
      return;
    }
    if (r.replyTo !== null && look.roomOf(r.replyTo) !== r.roomId) {
      results[index] = {
        ok: false,
        code: 'MESSAGE_NOT_FOUND',
        reason: 'The message replied to is not in this conversation.',
      };
      return;
    }
    const row = newRow(r, newMessageId(now), 0, now);
    inBatch.set(key, row);
    accepted.push({ index, row });
    if (r.event === undefined && state === 'pending' && !joins.has(member))
      joins.set(member, { roomId: r.roomId, userId: r.senderId, index });
    const list = perRoom.get(r.roomId);
    if (list) list.push(row);
    else perRoom.set(r.roomId, [row]);
  });
  return { results, accepted, perRoom, joins: [...joins.values()] };
}

/** The row a request becomes once accepted; seq is 0 until `assignSeqs` numbers it. */
export function newRow(r: MessageRequest, id: string, seq: number, now: number): MessagesTable {
  const event = r.event === undefined ? null : r.event;
  return {
    id,
    room_id: r.roomId,
    seq,
    sender_id: r.senderId,
    client_id: r.clientId,
    // A group event is stored without a body.
    body: event === null ? r.body : null,
    reply_to: r.replyTo,
    created_at: now,
    edited_at: null,
    deleted_at: null,
    kind: event === null ? 'text' : 'event',
    event: event === null ? null : JSON.stringify(event),
  };
}

/** Numbers a room's accepted rows after its bumped last_seq: last_seq - n + 1 … last_seq. */
export function assignSeqs(rows: MessagesTable[], bumpedLastSeq: number): void {
  let seq = bumpedLastSeq - rows.length;
  for (const row of rows) row.seq = ++seq;
}

/** Sending means having read the conversation up to one's own message: the highest per sender. */
export function readMarks(plan: BatchPlan): { roomId: string; userId: string; seq: number }[] {
  const marks = new Map<string, { roomId: string; userId: string; seq: number }>();
  for (const { row } of plan.accepted) {
    marks.set(`${row.room_id}\n${row.sender_id}`, {
      roomId: row.room_id,
      userId: row.sender_id,
      seq: row.seq,
    });
  }
  return [...marks.values()];
}

/** The final results, in request order. */
export function finish(plan: BatchPlan, nameOf: (userId: string) => string | null): WriteResult[] {
  const joined = new Set(plan.joins.map((j) => j.index));
  for (const { index, row } of plan.accepted) {
    plan.results[index] = {
      ok: true,
      message: row,
      senderName: nameOf(row.sender_id),
      duplicate: false,
      ...(joined.has(index) ? { joined: true } : {}),
    };
  }
  return plan.results.map(
    (r) => r ?? { ok: false as const, code: 'INTERNAL' as const, reason: 'not processed' },
  );
}
