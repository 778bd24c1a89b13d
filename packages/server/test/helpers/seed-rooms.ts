import type { Db } from '../../src/db/database.js';

/**
 * Users (ids as given, named after their id) and group rooms that all of them belong to, written
 * straight to the database: for store tests that need rows to write messages into, without a
 * server. The first user created every room.
 */
export async function seedGroupRooms(
  db: Db,
  rooms: readonly string[],
  users: readonly string[],
): Promise<void> {
  const now = Date.now();
  await db
    .insertInto('users')
    .values(
      users.map((id, i) => ({
        id,
        phone: `+1415200${String(i).padStart(4, '0')}`,
        name: id,
        created_at: now,
        last_seen_at: null,
      })),
    )
    .execute();
  for (const id of rooms) {
    await db
      .insertInto('rooms')
      .values({
        id,
        kind: 'group',
        name: id,
        direct_key: null,
        created_by: users[0] ?? '',
        created_at: now,
        last_activity_at: now,
      })
      .execute();
    await db
      .insertInto('memberships')
      .values(users.map((user_id) => ({ room_id: id, user_id, role: 'member', joined_at: now })))
      .execute();
  }
}
