import type { RoomEvent, UserEvent } from '@salon/protocol';
import { roomStream, userStream } from '../channels/streams.js';
import type { Db } from '../db/database.js';
import type { RoomService } from './room.service.js';
import type { Publisher } from '../broker/broker.js';

/**
 * Read marks: a member's last read `seq` only moves forward. Stored, then broadcast to the room
 * (a DM shows "read") and to the reader's other devices; unread counts follow from it.
 */
export class ReadReceiptService {
  readonly #db: Db;
  readonly #rooms: RoomService;
  readonly #publisher: Publisher;

  constructor(db: Db, rooms: RoomService, publisher: Publisher) {
    this.#db = db;
    this.#rooms = rooms;
    this.#publisher = publisher;
  }

  /** Returns the member's read mark after the call. */
  async markRead(userId: string, roomId: string, seq: number): Promise<number> {
    const member = await this.#rooms.membership(roomId, userId);
    const room = await this.#db
      .selectFrom('rooms')
      .select('last_seq')
      .where('id', '=', roomId)
      .executeTakeFirstOrThrow();
    // Never past the last message, never backwards.
    const target = Math.min(seq, room.last_seq);
    if (target <= member.last_read_seq) return member.last_read_seq;
    const res = await this.#db
      .updateTable('memberships')
      .set({ last_read_seq: target })
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .where('last_read_seq', '<', target)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return member.last_read_seq;
    // Someone who has not accepted a request or invitation reads it unseen: the sender does not
    // learn that the number has an account, nor that it was read.
    if (member.state === 'active') {
      const roomEvent: RoomEvent = { type: 'read', room_id: roomId, user_id: userId, seq: target };
      this.#publisher.publish(roomStream(roomId), roomEvent, { durable: true });
    }
    const userEvent: UserEvent = { type: 'read', room_id: roomId, user_id: userId, seq: target };
    this.#publisher.publish(userStream(userId), userEvent);
    return target;
  }
}
