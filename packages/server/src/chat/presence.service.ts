import type { PresenceChange, RoomEvent } from '@salon/protocol';
import type { Logger } from 'pino';
import type { ConnectionRegistry } from '../cable/registry.js';
import type { PresenceTracker } from '../cluster/seams.js';
import { roomStream } from '../channels/streams.js';
import type { Db } from '../db/database.js';
import { iso } from './views.js';
import type { Publisher } from '../broker/broker.js';

/** Presence changes are gathered this long before they are announced, ms. */
export const PRESENCE_WINDOW_MS = 300;

/**
 * Presence: a user is online while at least one of their connections is open. Changes are
 * gathered over a short window and announced once per direct room on the room's stream, listing
 * its members whose state changed. Presence shows only between two people who both accepted their
 * direct conversation (privacy.ts): groups get none, so a reconnect storm costs one event per
 * conversation partner, never one per member of a large room. Going offline records "last seen".
 * A user who drops and comes back within the window is not announced at all.
 *
 * Whether someone is connected, and what was last announced, come from the tracker: this node's
 * registry alone, or every node's counts in Redis (then one change is announced once, by
 * whichever node wins it, and a dead node's people are rechecked when it is swept).
 */
export class PresenceService {
  readonly #tracker: PresenceTracker;
  readonly #db: Db;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  /** Users whose state changed since the last announcement. */
  #changed = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  /**
   * The announcements under way, one after another: a slow one (Redis, the database) must not be
   * overtaken by the next window's, and close() waits for it before the database goes.
   */
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    registry: ConnectionRegistry,
    tracker: PresenceTracker,
    db: Db,
    publisher: Publisher,
    log: Logger,
  ) {
    this.#tracker = tracker;
    this.#db = db;
    this.#publisher = publisher;
    this.#log = log;
    registry.onPresence((userId) => this.#change([userId]));
    tracker.onLost((userIds) => this.#change(userIds));
  }

  #change(userIds: readonly string[]): void {
    if (this.#closed) return;
    for (const userId of userIds) this.#changed.add(userId);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#queueFlush('presence update failed');
    }, PRESENCE_WINDOW_MS).unref();
  }

  #queueFlush(failure: string): Promise<void> {
    this.#flushing = this.#flushing
      .then(() => this.#flush())
      .catch((err: unknown) => this.#log.error({ err }, failure));
    return this.#flushing;
  }

  /**
   * Online as last announced. Snapshots (room lists, member lists) read this rather than the
   * live registry, so that they never show a state whose change will not be announced (someone
   * who came and went within one window).
   */
  isOnline(userId: string): boolean {
    return this.#tracker.isAnnouncedOnline(userId);
  }

  async #flush(): Promise<void> {
    const now = Date.now();
    const changes: PresenceChange[] = [];
    const wentOffline: string[] = [];
    const changed = [...this.#changed];
    if (changed.length === 0) return;
    this.#changed = new Set();
    const decided = await Promise.all(
      changed.map(async (userId) => {
        const online = await this.#tracker.connected(userId);
        // False when back where it was, or when another node announced the same change.
        return { userId, online, announce: await this.#tracker.announce(userId, online) };
      }),
    );
    for (const { userId, online, announce } of decided) {
      if (!announce) continue;
      if (!online) wentOffline.push(userId);
      changes.push({ user_id: userId, online, last_seen_at: online ? null : iso(now) });
    }
    if (changes.length === 0) return;
    for (let i = 0; i < wentOffline.length; i += 500) {
      await this.#db
        .updateTable('users')
        .set({ last_seen_at: now })
        .where('id', 'in', wentOffline.slice(i, i + 500))
        .execute();
    }
    const byRoom = new Map<string, PresenceChange[]>();
    const byUser = new Map(changes.map((c) => [c.user_id, c]));
    const ids = [...byUser.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.#db
        .selectFrom('memberships as mine')
        .innerJoin('rooms as r', 'r.id', 'mine.room_id')
        .innerJoin('memberships as theirs', 'theirs.room_id', 'mine.room_id')
        .select(['mine.room_id', 'mine.user_id'])
        .where('mine.user_id', 'in', ids.slice(i, i + 500))
        .where('r.kind', '=', 'direct')
        .whereRef('theirs.user_id', '!=', 'mine.user_id')
        .where('mine.state', '=', 'active')
        .where('theirs.state', '=', 'active')
        .execute();
      for (const { room_id, user_id } of rows) {
        const change = byUser.get(user_id);
        if (!change) continue;
        const list = byRoom.get(room_id);
        if (list) list.push(change);
        else byRoom.set(room_id, [change]);
      }
    }
    for (const [roomId, users] of byRoom) {
      const event: RoomEvent = { type: 'presence', room_id: roomId, users };
      this.#publisher.publish(roomStream(roomId), event);
    }
  }

  /**
   * Announces what is still pending (the connections closed at shutdown: in a cluster the
   * announced state outlives this node), then stops. An announcement already under way is
   * waited for too: its window may have closed just before, and the database and broker it
   * needs are closed right after this resolves.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#queueFlush('presence update failed at shutdown');
  }
}
