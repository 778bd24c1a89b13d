import { randomUUID } from 'node:crypto';
import type { Salon } from '@salon/server';

/** Rows per INSERT: 5 columns × 500 stays far below SQLite's bound-parameter limit. */
const CHUNK = 500;

export interface SalonRoom {
  roomId: string;
  /** The first member, who owns the room. */
  ownerId: string;
  /** One bearer token per member, in member order. */
  tokens: string[];
}

/**
 * `members` accounts, each signed in through the server's own SessionService (so tokens are
 * real bearer tokens), and one group room holding all of them, written through the server's
 * database handle in one transaction.
 */
export async function createSalonRoom(salon: Salon, members: number): Promise<SalonRoom> {
  const [room] = await createSalonRooms(salon, 1, members);
  if (!room) throw new Error('no room created');
  return room;
}

/**
 * `rooms` group rooms of `members` distinct accounts each (rooms × members sign-ins), the first
 * member of each its owner; rooms and memberships written in one transaction.
 */
export async function createSalonRooms(
  salon: Salon,
  rooms: number,
  members: number,
): Promise<SalonRoom[]> {
  if (members < 1) throw new Error('a room needs at least one member');
  const built: { roomId: string; tokens: string[]; userIds: string[] }[] = [];
  let account = 0;
  for (let r = 0; r < rooms; r++) {
    const room = { roomId: randomUUID(), tokens: [] as string[], userIds: [] as string[] };
    for (let m = 0; m < members; m++, account++) {
      // Distinct, well-formed E.164 numbers; the benchmark never sends them an SMS.
      const phone = `+1415${String(2_000_000 + account).padStart(7, '0')}`;
      const { token, user } = await salon.sessions.signIn(phone, 'salon-bench');
      room.tokens.push(token);
      room.userIds.push(user.id);
    }
    built.push(room);
  }
  const now = Date.now();
  const memberships = built.flatMap((room) =>
    room.userIds.map((userId, m) => ({
      room_id: room.roomId,
      user_id: userId,
      role: m === 0 ? ('owner' as const) : ('member' as const),
      joined_at: now,
    })),
  );
  await salon.db.transaction().execute(async (trx) => {
    for (let start = 0; start < built.length; start += CHUNK) {
      await trx
        .insertInto('rooms')
        .values(
          built.slice(start, start + CHUNK).map((room) => ({
            id: room.roomId,
            kind: 'group' as const,
            name: 'bench',
            direct_key: null,
            created_by: room.userIds[0] ?? '',
            created_at: now,
            last_activity_at: now,
          })),
        )
        .execute();
    }
    for (let start = 0; start < memberships.length; start += CHUNK) {
      await trx
        .insertInto('memberships')
        .values(memberships.slice(start, start + CHUNK))
        .execute();
    }
  });
  return built.map(({ roomId, tokens, userIds }) => ({
    roomId,
    ownerId: userIds[0] ?? '',
    tokens,
  }));
}
