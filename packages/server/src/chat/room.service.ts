import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { MemberRole, RoomDetail, RoomEvent, UserEvent } from '@salon/protocol';
import type { Publisher } from '../broker/broker.js';
import { roomStream, userStream } from '../channels/streams.js';
import type { Db } from '../db/database.js';
import type { MembershipsTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import { roomNotFound, type RoomQueries } from './room.queries.js';
import type { UserRepository } from './user.repository.js';

const ADMIN_ROLES: readonly MemberRole[] = ['owner', 'admin'];

/** Conversations and who is in them: groups, direct rooms, members, names. */
export class RoomService {
  readonly #db: Db;
  readonly #users: UserRepository;
  readonly #queries: RoomQueries;
  readonly #notify: Publisher;

  constructor(db: Db, users: UserRepository, queries: RoomQueries, notify: Publisher) {
    this.#db = db;
    this.#users = users;
    this.#queries = queries;
    this.#notify = notify;
  }

  /** The membership of `userId` in `roomId`, or ROOM_NOT_FOUND (the same for non-members). */
  async membership(roomId: string, userId: string): Promise<Selectable<MembershipsTable>> {
    const m = await this.#db
      .selectFrom('memberships')
      .selectAll()
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!m) throw roomNotFound();
    return m;
  }

  async createGroup(
    creatorId: string,
    name: string,
    memberRefs: readonly string[],
  ): Promise<RoomDetail> {
    const members = await this.#resolveAll(memberRefs);
    const now = Date.now();
    const roomId = randomUUID();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('rooms')
        .values({
          id: roomId,
          kind: 'group',
          name,
          direct_key: null,
          created_by: creatorId,
          created_at: now,
          last_activity_at: now,
        })
        .execute();
      const rows = [creatorId, ...members.filter((id) => id !== creatorId)].map((user_id, i) => {
        const role: MemberRole = i === 0 ? 'owner' : 'member';
        return { room_id: roomId, user_id, role, joined_at: now };
      });
      await trx.insertInto('memberships').values(rows).execute();
    });
    const everyone = new Set([creatorId, ...members]);
    await this.#announceRoomTo([...everyone], roomId);
    return this.#queries.detail(creatorId, roomId);
  }

  /** The one direct room of the pair, created on first use. */
  async openDirect(
    userId: string,
    otherRef: string,
  ): Promise<{ room: RoomDetail; created: boolean }> {
    const other = await this.#users.resolve(otherRef);
    if (other.id === userId)
      throw new AppError('CANNOT_DM_SELF', 400, 'A direct conversation needs someone else.');
    const key = [userId, other.id].sort().join(':');
    const now = Date.now();
    const roomId = randomUUID();
    const created = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('rooms')
        .values({
          id: roomId,
          kind: 'direct',
          name: null,
          direct_key: key,
          created_by: userId,
          created_at: now,
          last_activity_at: now,
        })
        .onConflict((oc) => oc.column('direct_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      await trx
        .insertInto('memberships')
        .values([
          { room_id: roomId, user_id: userId, role: 'member', joined_at: now },
          { room_id: roomId, user_id: other.id, role: 'member', joined_at: now },
        ])
        .execute();
      return true;
    });
    const room = await this.#db
      .selectFrom('rooms')
      .select('id')
      .where('direct_key', '=', key)
      .executeTakeFirstOrThrow();
    if (created) await this.#announceRoomTo([userId, other.id], room.id);
    return { room: await this.#queries.detail(userId, room.id), created };
  }

  async addMembers(actorId: string, roomId: string, refs: readonly string[]): Promise<RoomDetail> {
    const actor = await this.membership(roomId, actorId);
    const room = await this.#room(roomId);
    if (room.kind === 'direct')
      throw new AppError(
        'FORBIDDEN',
        403,
        'People cannot be added to a direct conversation; start a group.',
      );
    if (!ADMIN_ROLES.includes(actor.role))
      throw new AppError('FORBIDDEN', 403, 'Only the group’s admins can add people.');
    const ids = await this.#resolveAll(refs);
    const now = Date.now();
    const added: string[] = [];
    await this.#db.transaction().execute(async (trx) => {
      for (const user_id of ids) {
        const res = await trx
          .insertInto('memberships')
          .values({ room_id: roomId, user_id, role: 'member', joined_at: now })
          .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
          .executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0n) > 0) added.push(user_id);
      }
    });
    if (added.length > 0) {
      const members = await this.#queries.members(roomId);
      for (const member of members.filter((m) => added.includes(m.id))) {
        const event: RoomEvent = { type: 'member_added', room_id: roomId, member };
        this.#notify.publish(roomStream(roomId), event, { durable: true });
      }
      await this.#announceRoomTo(added, roomId);
    }
    return this.#queries.detail(actorId, roomId);
  }

  /** An admin removes someone, or anyone removes themselves (leaves). */
  async removeMember(actorId: string, roomId: string, userId: string): Promise<void> {
    const actor = await this.membership(roomId, actorId);
    const room = await this.#room(roomId);
    if (actorId !== userId) {
      if (room.kind === 'direct')
        throw new AppError('FORBIDDEN', 403, 'Nobody can be removed from a direct conversation.');
      if (!ADMIN_ROLES.includes(actor.role))
        throw new AppError('FORBIDDEN', 403, 'Only the group’s admins can remove people.');
    }
    const target =
      actorId === userId
        ? actor
        : await this.#db
            .selectFrom('memberships')
            .selectAll()
            .where('room_id', '=', roomId)
            .where('user_id', '=', userId)
            .executeTakeFirst();
    if (!target)
      throw new AppError('NOT_A_MEMBER', 404, 'That person is not in this conversation.');
    if (actorId !== userId && target.role === 'owner' && actor.role !== 'owner') {
      throw new AppError('FORBIDDEN', 403, 'Admins cannot remove the owner.');
    }
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('memberships')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .execute();
      if (target.role === 'owner') {
        // The group keeps an owner: the longest-standing admin, else the longest-standing member.
        const heir = await trx
          .selectFrom('memberships')
          .select('user_id')
          .where('room_id', '=', roomId)
          .orderBy((eb) => eb.case().when('role', '=', 'admin').then(0).else(1).end())
          .orderBy('joined_at')
          .orderBy('user_id')
          .executeTakeFirst();
        if (heir) {
          await trx
            .updateTable('memberships')
            .set({ role: 'owner' })
            .where('room_id', '=', roomId)
            .where('user_id', '=', heir.user_id)
            .execute();
        }
      }
    });
    // Their connections stop following the room now, on every node: they stop receiving at once.
    this.#notify.control({ type: 'unfollow', user_id: userId, stream: roomStream(roomId) });
    const removed: RoomEvent = { type: 'member_removed', room_id: roomId, user_id: userId };
    this.#notify.publish(roomStream(roomId), removed, { durable: true });
    const gone: UserEvent = { type: 'room_removed', room_id: roomId };
    this.#notify.publish(userStream(userId), gone);
  }

  async rename(actorId: string, roomId: string, name: string): Promise<RoomDetail> {
    const actor = await this.membership(roomId, actorId);
    const room = await this.#room(roomId);
    if (room.kind === 'direct')
      throw new AppError('FORBIDDEN', 403, 'A direct conversation has no name to change.');
    if (!ADMIN_ROLES.includes(actor.role))
      throw new AppError('FORBIDDEN', 403, 'Only the group’s admins can rename it.');
    await this.#db.updateTable('rooms').set({ name }).where('id', '=', roomId).execute();
    const event: RoomEvent = { type: 'room_renamed', room_id: roomId, name };
    this.#notify.publish(roomStream(roomId), event, { durable: true });
    return this.#queries.detail(actorId, roomId);
  }

  async #room(roomId: string) {
    const room = await this.#db
      .selectFrom('rooms')
      .select(['id', 'kind'])
      .where('id', '=', roomId)
      .executeTakeFirst();
    if (!room) throw roomNotFound();
    return room;
  }

  async #resolveAll(refs: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const user = await this.#users.resolve(ref);
      if (!ids.includes(user.id)) ids.push(user.id);
    }
    return ids;
  }

  /**
   * Tells each user, on their private stream, about a room they are now in, once their
   * connections follow it (so that nothing said in it from then on passes them by).
   */
  async #announceRoomTo(userIds: readonly string[], roomId: string): Promise<void> {
    for (const id of userIds)
      this.#notify.control({ type: 'follow', user_id: id, stream: roomStream(roomId) });
    for (const id of userIds) {
      const [summary] = await this.#queries.summaries(id, [roomId]);
      if (!summary) continue;
      const event: UserEvent = { type: 'room_added', room: summary };
      this.#notify.publish(userStream(id), event);
    }
  }
}
