import { randomUUID } from 'node:crypto';
import type { Salon } from '@salon/server';

/** Rows per INSERT: 5 columns × 500 stays far below SQLite's bound-parameter limit. */
const CHUNK = 500;

export interface SalonRoom {
  roomId: string;
  /** One bearer token per member, in member order. */
  tokens: string[];
}

/**
 * `members` accounts, each signed in through the server's own SessionService (so tokens are
 * real bearer tokens), and one group room holding all of them, written through the server's
 * database handle in one transaction.
 */
export async function createSalonRoom(salon: Salon, members: number): Promise<SalonRoom> {
  const tokens: string[] = [];
  const userIds: string[] = [];
  for (let i = 0; i < members; i++) {
    // Distinct, well-formed E.164 numbers; the benchmark never sends them an SMS.
    const phone = `+1415${String(2_000_000 + i).padStart(7, '0')}`;
    const { token, user } = await salon.sessions.signIn(phone, 'salon-bench');
    tokens.push(token);
    userIds.push(user.id);
  }
  const owner = userIds[0];
  if (owner === undefined) throw new Error('a room needs at least one member');

  const roomId = randomUUID();
  const now = Date.now();
  await salon.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('rooms')
      .values({
        id: roomId,
        kind: 'group',
        name: 'bench',
        direct_key: null,
        created_by: owner,
        created_at: now,
        last_activity_at: now,
      })
      .execute();
    for (let start = 0; start < userIds.length; start += CHUNK) {
      await trx
        .insertInto('memberships')
        .values(
          userIds.slice(start, start + CHUNK).map((userId) => ({
            room_id: roomId,
            user_id: userId,
            role: userId === owner ? ('owner' as const) : ('member' as const),
            joined_at: now,
          })),
        )
        .execute();
    }
  });
  return { roomId, tokens };
}
