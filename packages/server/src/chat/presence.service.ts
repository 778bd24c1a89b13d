import type { UserEvent } from '@salon/protocol';
import type { Logger } from 'pino';
import type { ConnectionRegistry } from '../cable/registry.js';
import { userStream } from '../channels/streams.js';
import type { UserRepository } from './user.repository.js';
import { iso } from './views.js';

type Publish = (stream: string, message: object, options?: { durable?: boolean }) => void;

/**
 * Presence: a user is online while at least one of their connections is open. Changes are
 * pushed to everyone who shares a room with them (on their private streams, so a person in many
 * rooms with you hears it once); going offline records "last seen".
 */
export class PresenceService {
  readonly #registry: ConnectionRegistry;
  readonly #users: UserRepository;
  readonly #publish: Publish;
  readonly #log: Logger;

  constructor(registry: ConnectionRegistry, users: UserRepository, publish: Publish, log: Logger) {
    this.#registry = registry;
    this.#users = users;
    this.#publish = publish;
    this.#log = log;
    registry.onPresence((userId, online) => {
      this.#changed(userId, online).catch((err: unknown) =>
        this.#log.error({ err, userId }, 'presence update failed'),
      );
    });
  }

  isOnline(userId: string): boolean {
    return this.#registry.connectionsOfUser(userId).size > 0;
  }

  async #changed(userId: string, online: boolean): Promise<void> {
    const now = Date.now();
    if (!online) await this.#users.setLastSeen(userId, now);
    // The state may have flipped back while we awaited: announce only what is still true.
    if (this.isOnline(userId) !== online) return;
    const event: UserEvent = {
      type: 'presence',
      user_id: userId,
      online,
      last_seen_at: online ? null : iso(now),
    };
    for (const contact of await this.#users.contactsOf(userId))
      this.#publish(userStream(contact), event);
  }
}
