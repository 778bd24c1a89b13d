import { randomUUID } from 'node:crypto';
import type { MessageView, RoomEvent } from '@salon/protocol';
import { roomStream } from '../channels/streams.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { MessageJob } from './message-job.js';
import type { RoomService } from './room.service.js';
import { messageView } from './views.js';
import type { Publisher } from '../broker/broker.js';

export interface SendInput {
  roomId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyTo: string | null;
}

/** Sending (through the message job), editing, deleting and reading messages. */
export class MessageService {
  readonly #db: Db;
  readonly #jobs: JobQueue;
  readonly #job: MessageJob;
  readonly #rooms: RoomService;
  readonly #publisher: Publisher;

  constructor(db: Db, jobs: JobQueue, job: MessageJob, rooms: RoomService, publisher: Publisher) {
    this.#db = db;
    this.#jobs = jobs;
    this.#job = job;
    this.#rooms = rooms;
    this.#publisher = publisher;
  }

  /** Queues a message; its broadcast (after commit) is the acknowledgement. Input is already valid. */
  enqueue(input: SendInput): void {
    this.#jobs.enqueue(this.#job, { requestId: randomUUID(), ...input });
  }

  /** Queues a message and waits until it is stored: the HTTP way in. */
  async send(input: SendInput): Promise<{ message: MessageView; duplicate: boolean }> {
    await this.#rooms.membership(input.roomId, input.senderId);
    const requestId = randomUUID();
    const stored = this.#job.waitFor(requestId);
    try {
      this.#jobs.enqueue(this.#job, { requestId, ...input });
    } catch (err) {
      this.#job.forget(requestId);
      throw err;
    }
    const result = await stored;
    if (!result.ok) {
      const status =
        result.code === 'NOT_A_MEMBER' ? 404 : result.code === 'MESSAGE_NOT_FOUND' ? 400 : 503;
      // A 503 (storage full or unreachable, queue given up) is worth sending again shortly.
      throw new AppError(
        result.code === 'NOT_A_MEMBER' ? 'ROOM_NOT_FOUND' : result.code,
        status,
        result.reason,
        status === 503 ? { retryAfterSeconds: 1 } : {},
      );
    }
    return { message: messageView(result.message, result.senderName), duplicate: result.duplicate };
  }

  async history(
    userId: string,
    roomId: string,
    q: { before?: number | undefined; after?: number | undefined; limit: number },
  ): Promise<MessageView[]> {
    await this.#rooms.membership(roomId, userId);
    let query = this.#db
      .selectFrom('messages as m')
      .innerJoin('users as u', 'u.id', 'm.sender_id')
      .selectAll('m')
      .select('u.name as sender_name')
      .where('m.room_id', '=', roomId)
      .limit(q.limit);
    if (q.after !== undefined) {
      query = query.where('m.seq', '>', q.after).orderBy('m.seq', 'asc');
    } else {
      if (q.before !== undefined) query = query.where('m.seq', '<', q.before);
      query = query.orderBy('m.seq', 'desc');
    }
    const rows = await query.execute();
    if (q.after === undefined) rows.reverse();
    return rows.map((r) => messageView(r, r.sender_name));
  }

  /** The sender edits their own message; stored, then broadcast. */
  async edit(
    userId: string,
    roomId: string,
    messageId: string,
    body: string,
  ): Promise<MessageView> {
    await this.#rooms.membership(roomId, userId);
    const row = await this.#message(roomId, messageId);
    if (row.kind === 'event') throw eventsAreFixed();
    if (row.sender_id !== userId)
      throw new AppError('FORBIDDEN', 403, 'Only its sender can edit a message.');
    if (row.deleted_at !== null)
      throw new AppError('MESSAGE_DELETED', 409, 'A deleted message cannot be edited.');
    const editedAt = Date.now();
    // A delete may land between the read above and this write: never give a deleted message
    // its body back (nor broadcast it).
    const res = await this.#db
      .updateTable('messages')
      .set({ body, edited_at: editedAt })
      .where('id', '=', messageId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      throw new AppError('MESSAGE_DELETED', 409, 'A deleted message cannot be edited.');
    const view = messageView(
      { ...row, body, edited_at: editedAt },
      await this.#senderName(row.sender_id),
    );
    const event: RoomEvent = { type: 'message_edited', message: view };
    this.#publisher.publish(roomStream(roomId), event, { durable: true });
    return view;
  }

  /** The sender or a room admin deletes a message: it keeps its seq and loses its body. */
  async delete(userId: string, roomId: string, messageId: string): Promise<MessageView> {
    const member = await this.#rooms.membership(roomId, userId);
    const row = await this.#message(roomId, messageId);
    if (row.kind === 'event') throw eventsAreFixed();
    if (row.sender_id !== userId && member.role === 'member') {
      throw new AppError('FORBIDDEN', 403, 'Only its sender or an admin can delete a message.');
    }
    if (row.deleted_at !== null) return messageView(row, await this.#senderName(row.sender_id));
    const deletedAt = Date.now();
    await this.#db
      .updateTable('messages')
      .set({ body: null, deleted_at: deletedAt })
      .where('id', '=', messageId)
      .execute();
    const view = messageView(
      { ...row, body: null, deleted_at: deletedAt },
      await this.#senderName(row.sender_id),
    );
    const event: RoomEvent = { type: 'message_deleted', message: view };
    this.#publisher.publish(roomStream(roomId), event, { durable: true });
    return view;
  }

  async #message(roomId: string, messageId: string) {
    const row = await this.#db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    if (!row) throw new AppError('MESSAGE_NOT_FOUND', 404, 'No such message in this conversation.');
    return row;
  }

  async #senderName(userId: string): Promise<string | null> {
    const u = await this.#db
      .selectFrom('users')
      .select('name')
      .where('id', '=', userId)
      .executeTakeFirst();
    return u?.name ?? null;
  }
}

const eventsAreFixed = () =>
  new AppError('FORBIDDEN', 403, 'Group events cannot be edited or deleted.');
