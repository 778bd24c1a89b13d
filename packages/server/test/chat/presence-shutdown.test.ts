import pino from 'pino';
import type { RoomEvent } from '@salon/protocol';
import { expect, test } from 'vitest';
import type { Publisher } from '../../src/broker/broker.js';
import { ConnectionRegistry, type RegisteredConnection } from '../../src/cable/registry.js';
import type { Transport } from '../../src/cable/transport.js';
import { PRESENCE_WINDOW_MS, PresenceService } from '../../src/chat/presence.service.js';
import { MemoryPresence } from '../../src/cluster/memory-presence.js';
import { seedGroupRooms } from '../helpers/seed-rooms.js';
import { openTestBackend } from '../helpers/test-database.js';

/** A tracker whose "who is connected?" answers only when the test lets it (a slow Redis). */
class HeldTracker extends MemoryPresence {
  #release: (() => void) | undefined;
  readonly asked: Promise<void>;
  #asked!: () => void;

  constructor(registry: ConnectionRegistry) {
    super(registry);
    this.asked = new Promise((resolve) => (this.#asked = resolve));
  }

  override async connected(userId: string): Promise<boolean> {
    this.#asked();
    await new Promise<void>((resolve) => (this.#release = resolve));
    return super.connected(userId);
  }

  answer(): void {
    this.#release?.();
  }
}

/**
 * A node stopping closes its connections, then (after HTTP and the jobs) presence, then the
 * database and the broker. When the window of those closes has already ended, its announcement
 * is under way as presence closes: close() must wait for it, or the database it still needs is
 * closed under it and the others keep seeing these people online (in a cluster, for good: the
 * node has left the heartbeat set, so no one sweeps it).
 */
test('close() waits for an announcement already under way, which reaches the room', async () => {
  const backend = await openTestBackend();
  await seedGroupRooms(backend.db, ['dm'], ['ana', 'ben']);
  await backend.db
    .updateTable('rooms')
    .set({ kind: 'direct', name: null, direct_key: 'ana:ben' })
    .where('id', '=', 'dm')
    .execute();
  const registry = new ConnectionRegistry();
  const anaOnline: RegisteredConnection = {
    id: 'c1',
    userId: 'ana',
    sessionId: 's1',
    ext: false,
    // Never written to: no stream is subscribed.
    transport: null as unknown as Transport,
    disconnect: () => undefined,
  };
  registry.add(anaOnline);
  const tracker = new HeldTracker(registry);
  await tracker.announce('ana', true);
  const published: RoomEvent[] = [];
  const publisher: Publisher = {
    publish: (_stream, event) => void published.push(event as RoomEvent),
    settled: () => Promise.resolve(),
    control: () => undefined,
  };
  const presence = new PresenceService(
    registry,
    tracker,
    backend.db,
    publisher,
    pino({ level: 'silent' }),
  );

  // Ana's last connection closes, and its window ends: the announcement asks who is connected.
  registry.remove(anaOnline);
  await tracker.asked;

  let closed = false;
  const closing = presence.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, PRESENCE_WINDOW_MS));
  expect(closed).toBe(false);

  tracker.answer();
  await closing;
  expect(published).toEqual([
    {
      type: 'presence',
      room_id: 'dm',
      users: [{ user_id: 'ana', online: false, last_seen_at: expect.any(String) as string }],
    },
  ]);
  const ana = await backend.db
    .selectFrom('users')
    .select('last_seen_at')
    .where('id', '=', 'ana')
    .executeTakeFirstOrThrow();
  expect(ana.last_seen_at).not.toBeNull();
});
