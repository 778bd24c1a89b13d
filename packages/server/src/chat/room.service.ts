import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MemberRole, RoomDetail, RoomEvent, UserEvent } from '@salon/protocol';
import type { Publisher } from '../broker/broker.js';
import { roomStream, userStream } from '../channels/streams.js';
import type { Db } from '../db/database.js';
import type { Membership, MemberState } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Consent } from './consent.js';
import type { TimelineEvents } from './timeline-events.js';
import { directKey, selfKey } from './direct-keys.js';
import { roomNotFound, type RoomQueries } from './room.queries.js';
import { chunks, type UserRepository } from './user.repository.js';

const ADMIN_ROLES: readonly MemberRole[] = ['owner', 'admin'];
/** People told about a room they were added to, per event-loop turn (each is a few queries). */
const ANNOUNCE_PER_TURN = 10;

/**
 * Conversations and who is in them: groups, direct rooms, members, names, and each person's
 * consent to being in them (requests and invitations: consent.ts; who sees what: privacy.ts).
 */
export class RoomService {
  readonly #db: Db;
  readonly #users: UserRepository;
  readonly #queries: RoomQueries;
  readonly #consent: Consent;
  readonly #notify: Publisher;
  readonly #timeline: TimelineEvents;

  constructor(deps: {
    db: Db;
    users: UserRepository;
    queries: RoomQueries;
    consent: Consent;
    notify: Publisher;
    timeline: TimelineEvents;
  }) {
    this.#db = deps.db;
    this.#users = deps.users;
    this.#queries = deps.queries;
    this.#consent = deps.consent;
    this.#notify = deps.notify;
    this.#timeline = deps.timeline;
  }

  /**
   * The membership of `userId` in `roomId` (active or pending: a pending member may read), or
   * ROOM_NOT_FOUND, the same for non-members and for a request they declined.
   */
  async membership(roomId: string, userId: string): Promise<Membership> {
    const m = await this.#db
      .selectFrom('memberships')
      .selectAll()
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .where('state', '!=', 'declined')
      .executeTakeFirst();
    if (!m) throw roomNotFound();
    return m;
  }

  async createGroup(
    creatorId: string,
    name: string,
    memberRefs: readonly string[],
  ): Promise<RoomDetail> {
    const members = (await this.#users.resolveMany(memberRefs))
      .map((u) => u.id)
      .filter((id) => id !== creatorId);
    const states = await this.#consent.statesFor(creatorId, members, 'group');
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
      const rows = [
        membershipRow(roomId, creatorId, 'owner', 'active', null, now),
        ...members.map((id) =>
          membershipRow(roomId, id, 'member', states.get(id) ?? 'pending', creatorId, now),
        ),
      ];
      for (const chunk of chunks(rows)) await trx.insertInto('memberships').values(chunk).execute();
    });
    // Members follow the room before its first event is stored, so they get it live; the answer
    // is read before it too, so it always says last_seq 0 and the event arrives as seq 1.
    await this.#announceRoomTo(
      [creatorId, ...members.filter((id) => states.get(id) !== 'declined')],
      roomId,
    );
    const detail = await this.#queries.detail(creatorId, roomId);
    this.#timeline.record(roomId, creatorId, { type: 'created', name });
    return detail;
  }

  /**
   * The one direct room of the pair, made on first use. The other person is in at once if the
   * two have talked before, else they get a request (see consent.ts). Whatever happened on the
   * other side (no account, declined, blocked), the answer looks the same to the caller.
   */
  async openDirect(
    userId: string,
    otherRef: string,
  ): Promise<{ room: RoomDetail; created: boolean }> {
    const other = await this.#users.resolve(otherRef);
    if (other.id === userId) return this.#noteToSelf(userId);
    const otherState =
      (await this.#consent.statesFor(userId, [other.id], 'direct')).get(other.id) ?? 'pending';
    const { roomId, created } = await this.#directRoom(userId, directKey(userId, other.id), [
      membershipRow('', userId, 'member', 'active', null, 0),
      membershipRow('', other.id, 'member', otherState, userId, 0),
    ]);
    if (created) {
      await this.#announceRoomTo(otherState === 'declined' ? [userId] : [userId, other.id], roomId);
    } else {
      await this.#reopenDirect(roomId, userId, other.id, otherState);
    }
    return { room: await this.#queries.detail(userId, roomId), created };
  }

  /** One's own direct room: notes to self, on every device (one member, made on first use). */
  async #noteToSelf(userId: string): Promise<{ room: RoomDetail; created: boolean }> {
    const { roomId, created } = await this.#directRoom(userId, selfKey(userId), [
      membershipRow('', userId, 'member', 'active', null, 0),
    ]);
    if (created) await this.#announceRoomTo([userId], roomId);
    return { room: await this.#queries.detail(userId, roomId), created };
  }

  /**
   * The direct room with `key`, made with `members` (their room and times filled in here) when
   * it does not exist yet. Two people opening it at once make one: the key is unique.
   */
  async #directRoom(
    creatorId: string,
    key: string,
    members: ReturnType<typeof membershipRow>[],
  ): Promise<{ roomId: string; created: boolean }> {
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
          created_by: creatorId,
          created_at: now,
          last_activity_at: now,
        })
        .onConflict((oc) => oc.column('direct_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      await trx
        .insertInto('memberships')
        .values(
          members.map((m) => ({
            ...m,
            room_id: roomId,
            joined_at: now,
            accepted_at: m.state === 'active' ? now : null,
          })),
        )
        .execute();
      return true;
    });
    const room = await this.#db
      .selectFrom('rooms')
      .select('id')
      .where('direct_key', '=', key)
      .executeTakeFirstOrThrow();
    return { roomId: room.id, created };
  }

  /**
   * Opening an existing direct room again: the caller is back in it if they had left, and a
   * request the other had declined is asked again (unless they blocked the caller).
   */
  async #reopenDirect(
    roomId: string,
    userId: string,
    otherId: string,
    otherState: MemberState,
  ): Promise<void> {
    const now = Date.now();
    const rows = await this.#db
      .selectFrom('memberships')
      .select(['user_id', 'state'])
      .where('room_id', '=', roomId)
      .execute();
    const mine = rows.find((r) => r.user_id === userId);
    const theirs = rows.find((r) => r.user_id === otherId);
    const back: string[] = [];
    if (mine === undefined) {
      // They had left it: in again.
      await this.#db
        .insertInto('memberships')
        .values(membershipRow(roomId, userId, 'member', 'active', null, now))
        .execute();
      back.push(userId);
    } else if (mine.state !== 'active') {
      await this.#setState(roomId, userId, 'active', now);
      back.push(userId);
    }
    if (theirs === undefined && otherState !== 'declined') {
      await this.#db
        .insertInto('memberships')
        .values(membershipRow(roomId, otherId, 'member', otherState, userId, now))
        .execute();
      back.push(otherId);
    } else if (theirs?.state === 'declined' && otherState !== 'declined') {
      await this.#setState(roomId, otherId, otherState, now, userId);
      back.push(otherId);
    }
    if (back.length > 0) await this.#announceRoomTo(back, roomId);
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
    if (actor.state !== 'active' || !ADMIN_ROLES.includes(actor.role))
      throw new AppError('FORBIDDEN', 403, 'Only the group’s admins can add people.');
    const ids = (await this.#users.resolveMany(refs)).map((u) => u.id);
    const states = await this.#consent.statesFor(actorId, ids, 'group');
    const now = Date.now();
    const added: string[] = [];
    const invitedAgain: string[] = [];
    await this.#db.transaction().execute(async (trx) => {
      for (const chunk of chunks(ids)) {
        const existing = await trx
          .selectFrom('memberships')
          .select(['user_id', 'state'])
          .where('room_id', '=', roomId)
          .where('user_id', 'in', chunk)
          .execute();
        const present = new Map(existing.map((e) => [e.user_id, e.state]));
        const fresh = chunk.filter((id) => !present.has(id));
        if (fresh.length > 0) {
          await trx
            .insertInto('memberships')
            .values(
              fresh.map((id) =>
                membershipRow(roomId, id, 'member', states.get(id) ?? 'pending', actorId, now),
              ),
            )
            .execute();
          added.push(...fresh);
        }
        // Someone who declined is invited again, unless they blocked the adder.
        for (const id of chunk) {
          if (present.get(id) !== 'declined' || states.get(id) === 'declined') continue;
          await trx
            .updateTable('memberships')
            .set({ state: 'pending', invited_by: actorId })
            .where('room_id', '=', roomId)
            .where('user_id', '=', id)
            .execute();
          invitedAgain.push(id);
        }
      }
    });
    const visible = added.filter((id) => states.get(id) !== 'declined');
    const again = new Set(invitedAgain);
    const shown = [];
    // A chunk of members per query and per event-loop turn: adding 500 people must not hold the
    // loop for the whole of it.
    for (const chunk of chunks([...added, ...invitedAgain], ANNOUNCE_PER_TURN)) {
      for (const member of await this.#queries.broadcastMembers(roomId, chunk)) {
        shown.push({ id: member.id, name: member.name });
        const event: RoomEvent = again.has(member.id)
          ? { type: 'member_updated', room_id: roomId, member }
          : { type: 'member_added', room_id: roomId, member };
        this.#notify.publish(roomStream(roomId), event, { durable: true });
      }
      await nextTurn();
    }
    if (shown.length > 0) this.#timeline.record(roomId, actorId, { type: 'added', users: shown });
    await this.#announceRoomTo([...visible, ...invitedAgain], roomId);
    return this.#queries.detail(actorId, roomId);
  }

  /** A request or invitation is accepted: the member is in, and the others see who they are. */
  async accept(userId: string, roomId: string): Promise<RoomDetail> {
    const m = await this.membership(roomId, userId);
    if (m.state !== 'pending')
      throw new AppError('NOTHING_TO_ACCEPT', 409, 'You are already in this conversation.');
    await this.#setState(roomId, userId, 'active', Date.now());
    await this.announceAccepted(roomId, userId);
    return this.#queries.detail(userId, roomId);
  }

  /** Tells the room that a member accepted it (by accepting, or by replying to a request). */
  async announceAccepted(roomId: string, userId: string): Promise<void> {
    const member = await this.#queries.broadcastMember(roomId, userId);
    if (!member) return;
    const room = await this.#room(roomId);
    if (room.kind === 'group') this.#timeline.record(roomId, userId, { type: 'joined' });
    const event: RoomEvent = { type: 'member_updated', room_id: roomId, member };
    this.#notify.publish(roomStream(roomId), event, { durable: true });
    const summary = await this.#queries.summary(userId, roomId);
    if (summary) {
      const mine: UserEvent = { type: 'room_added', room: summary };
      this.#notify.publish(userStream(userId), mine);
    }
  }

  /** A member renamed themselves: every room that shows their name hears the new one. */
  async announceRenamed(userId: string): Promise<void> {
    for (let after = '', page: string[]; ; after = page[page.length - 1] ?? after) {
      page = await this.#queries.acceptedRooms(userId, after, ANNOUNCE_PER_TURN);
      if (page.length === 0) return;
      for (const roomId of page) {
        const member = await this.#queries.broadcastMember(roomId, userId);
        if (!member) continue;
        const event: RoomEvent = { type: 'member_updated', room_id: roomId, member };
        this.#notify.publish(roomStream(roomId), event, { durable: true });
      }
      await nextTurn();
    }
  }

  /**
   * Says no to a request or invitation. Silent: to the others the person still looks pending.
   * Returns who sent it, for a decline that also blocks them.
   */
  async decline(userId: string, roomId: string): Promise<string | null> {
    const m = await this.membership(roomId, userId);
    if (m.state !== 'pending')
      throw new AppError(
        'NOTHING_TO_ACCEPT',
        409,
        'There is no request or invitation to decline here; leave the conversation instead.',
      );
    await this.#setState(roomId, userId, 'declined', Date.now());
    this.#gone(userId, roomId);
    return m.invited_by;
  }

  /** Leaves the direct rooms with `otherId` and declines their invitations (blocking them). */
  async withdrawFrom(userId: string, otherId: string): Promise<void> {
    const rooms = await this.#db
      .selectFrom('memberships as mine')
      .innerJoin('rooms as r', 'r.id', 'mine.room_id')
      .leftJoin('memberships as theirs', (j) =>
        j.onRef('theirs.room_id', '=', 'mine.room_id').on('theirs.user_id', '=', otherId),
      )
      .select(['mine.room_id', 'r.kind', 'mine.state', 'mine.invited_by', 'theirs.user_id'])
      .where('mine.user_id', '=', userId)
      .where('mine.state', '!=', 'declined')
      .where((eb) =>
        eb.or([
          eb.and([eb('r.kind', '=', 'direct'), eb('theirs.user_id', '=', otherId)]),
          eb.and([eb('mine.state', '=', 'pending'), eb('mine.invited_by', '=', otherId)]),
        ]),
      )
      .execute();
    for (const r of rooms) {
      await this.#setState(r.room_id, userId, 'declined', Date.now());
      this.#gone(userId, r.room_id);
    }
  }

  /** An admin removes someone, or anyone removes themselves (leaves). */
  async removeMember(actorId: string, roomId: string, userId: string): Promise<void> {
    const actor = await this.membership(roomId, actorId);
    if (actorId === userId && actor.state === 'pending') {
      // Leaving a request or invitation is declining it: silently.
      await this.decline(actorId, roomId);
      return;
    }
    const room = await this.#room(roomId);
    if (actorId !== userId) {
      if (room.kind === 'direct')
        throw new AppError('FORBIDDEN', 403, 'Nobody can be removed from a direct conversation.');
      if (actor.state !== 'active' || !ADMIN_ROLES.includes(actor.role))
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
        // The group keeps an owner: the longest-standing admin, else the longest-standing member
        // (among those who accepted it).
        const heir = await trx
          .selectFrom('memberships')
          .select('user_id')
          .where('room_id', '=', roomId)
          .where('state', '=', 'active')
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
    // They stop following the room first: what is said from now on, their removal included,
    // is for the others.
    this.#gone(userId, roomId);
    if (room.kind === 'group') {
      const whom = target.accepted_at === null ? null : await this.#users.byId(userId);
      this.#timeline.record(
        roomId,
        actorId,
        actorId === userId
          ? { type: 'left' }
          : { type: 'removed', user: { id: userId, name: whom?.name ?? null } },
      );
    }
    const removed: RoomEvent = { type: 'member_removed', room_id: roomId, user_id: userId };
    this.#notify.publish(roomStream(roomId), removed, { durable: true });
  }

  async rename(actorId: string, roomId: string, name: string): Promise<RoomDetail> {
    const actor = await this.membership(roomId, actorId);
    const room = await this.#room(roomId);
    if (room.kind === 'direct')
      throw new AppError('FORBIDDEN', 403, 'A direct conversation has no name to change.');
    if (actor.state !== 'active' || !ADMIN_ROLES.includes(actor.role))
      throw new AppError('FORBIDDEN', 403, 'Only the group’s admins can rename it.');
    await this.#db.updateTable('rooms').set({ name }).where('id', '=', roomId).execute();
    const event: RoomEvent = { type: 'room_renamed', room_id: roomId, name };
    this.#notify.publish(roomStream(roomId), event, { durable: true });
    this.#timeline.record(roomId, actorId, { type: 'renamed', name });
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

  /**
   * Sets a membership's state; `accepted_at` becomes `now` the first time it goes active (kept
   * when it is declined later, so that what others saw stays as it was).
   */
  async #setState(
    roomId: string,
    userId: string,
    state: MemberState,
    now: number,
    invitedBy?: string,
  ): Promise<void> {
    await this.#db
      .updateTable('memberships')
      .set((eb) => ({
        state,
        ...(state === 'active' ? { accepted_at: eb.fn.coalesce('accepted_at', eb.val(now)) } : {}),
        ...(invitedBy !== undefined ? { invited_by: invitedBy } : {}),
      }))
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** The person no longer has the room: their connections stop following it, their list drops it. */
  #gone(userId: string, roomId: string): void {
    // On every node: they stop receiving at once.
    this.#notify.control({ type: 'unfollow', user_id: userId, stream: roomStream(roomId) });
    const gone: UserEvent = { type: 'room_removed', room_id: roomId };
    this.#notify.publish(userStream(userId), gone);
  }

  /**
   * Tells each user, on their private stream, about a room they are now in, once their
   * connections follow it (so that nothing said in it from then on passes them by).
   */
  async #announceRoomTo(userIds: readonly string[], roomId: string): Promise<void> {
    for (const id of userIds)
      this.#notify.control({ type: 'follow', user_id: id, stream: roomStream(roomId) });
    let n = 0;
    for (const id of userIds) {
      const summary = await this.#queries.summary(id, roomId);
      if (summary) {
        const event: UserEvent = { type: 'room_added', room: summary };
        this.#notify.publish(userStream(id), event);
      }
      if (++n % ANNOUNCE_PER_TURN === 0) await nextTurn();
    }
  }
}

function membershipRow(
  roomId: string,
  userId: string,
  role: MemberRole,
  state: MemberState,
  invitedBy: string | null,
  now: number,
) {
  return {
    room_id: roomId,
    user_id: userId,
    role,
    joined_at: now,
    state,
    accepted_at: state === 'active' ? now : null,
    invited_by: invitedBy,
  };
}
