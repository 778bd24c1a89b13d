import type { RoomEvent } from '@salon/protocol';
import { roomStream } from '../channels/streams.js';
import type { UserRepository } from './user.repository.js';
import type { Publisher } from '../broker/broker.js';

/** A typing notice lasts this long unless renewed; clients drop it by themselves after. */
export const TYPING_TTL_MS = 5000;
/** At most one typing broadcast per person and room in this window. */
export const TYPING_THROTTLE_MS = 2000;

/** Typing notices: broadcast only, never stored, throttled. */
export class TypingService {
  readonly #users: UserRepository;
  readonly #publisher: Publisher;
  /** "room\nuser" → time of the last broadcast; entries older than the window are swept. */
  readonly #last = new Map<string, number>();

  constructor(users: UserRepository, publisher: Publisher) {
    this.#users = users;
    this.#publisher = publisher;
  }

  async typing(roomId: string, userId: string, now = Date.now()): Promise<void> {
    const key = `${roomId}\n${userId}`;
    const last = this.#last.get(key);
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return;
    this.#last.set(key, now);
    if (this.#last.size > 10_000) this.#sweep(now);
    const user = await this.#users.byId(userId);
    const event: RoomEvent = {
      type: 'typing',
      room_id: roomId,
      user: { id: userId, name: user?.name ?? null },
      expires_in_ms: TYPING_TTL_MS,
    };
    this.#publisher.publish(roomStream(roomId), event);
  }

  #sweep(now: number): void {
    for (const [key, at] of this.#last) if (now - at >= TYPING_THROTTLE_MS) this.#last.delete(key);
  }
}
