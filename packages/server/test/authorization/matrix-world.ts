import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import { createSalon } from '../../src/app.js';
import { CableTickets } from '../../src/cable/tickets.js';
import { loadConfig } from '../../src/config.js';
import { SqliteLimitStore } from '../../src/limits/limit-store.js';
import { ticketFor, serverSecret } from '../cable/helpers/fixtures.js';
import { RawClient, isType } from '../cable/helpers/raw-client.js';
import type { RoomDetail } from '@salon/protocol';
import { ok, person, postMessage, type Person } from '../chat/chat-client.js';
import { api, signIn, type TestServer } from '../helpers/salon-server.js';
import { TEST_DB, adminQuery, pgUrl } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';
import { smsToFake, WIDE_LIMITS } from '../helpers/test-env.js';
import { startTwilioFake } from '../helpers/twilio-fake.js';

/**
 * A real Salon for the whole matrix file, with its teardown returned rather than registered per
 * test (startTestServer closes its server when the first test ends; the matrix's hundreds of
 * cells share one). Same settings as startTestServer: real SQLite file or a fresh PostgreSQL
 * database, SMS through the real Twilio provider to the fake, wide limits.
 */
export async function startMatrixServer(): Promise<{
  server: TestServer;
  stop: () => Promise<void>;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-authz-'));
  const sms = await startTwilioFake();
  let pgName: string | undefined;
  if (TEST_DB === 'postgres') {
    pgName = `salon_test_authz_${String(process.pid)}_${String(Date.now())}`;
    await adminQuery(`CREATE DATABASE "${pgName}"`);
  }
  const databaseUrl =
    pgName !== undefined ? pgUrl(pgName) : `sqlite:${path.join(dataDir, 'salon.db')}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SALON_DATA_DIR: dataDir,
    SALON_DATABASE_URL: databaseUrl,
    SALON_LOG_LEVEL: process.env.SALON_TEST_LOG_LEVEL ?? 'silent',
    ...smsToFake(sms),
    ...WIDE_LIMITS,
  });
  const salon = await createSalon(config, { logger: pino({ level: config.logLevel }) });
  const port = await salon.listen();
  const server: TestServer = {
    salon,
    port,
    url: `http://127.0.0.1:${String(port)}`,
    wsUrl: `ws://127.0.0.1:${String(port)}`,
    dataDir,
    databaseUrl,
    sms,
    close: () => salon.close(),
    restart: () => Promise.reject(new Error('the matrix server does not restart')),
  };
  return {
    server,
    async stop() {
      await salon.close();
      await sms.close();
      if (pgName !== undefined)
        await adminQuery(`DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The people of the matrix: one per caller kind that has an account, and two bystanders. */
export interface People {
  owner: Person;
  admin: Person;
  member: Person;
  /** Asks before being added to groups: added, they are invited (pending) until they accept. */
  invitee: Person;
  /** Another member: whom the "another member" rows remove. */
  peer: Person;
  removed: Person;
  outsider: Person;
  /** In no room: whom the "add someone" row adds. */
  guest: Person;
  /** Whom the block rows block and unblock. */
  stranger: Person;
}

export async function makePeople(server: TestServer): Promise<People> {
  const names = [
    'owner',
    'admin',
    'member',
    'invitee',
    'peer',
    'removed',
    'outsider',
    'guest',
    'stranger',
  ];
  const made = await Promise.all(names.map((n) => person(server, n)));
  const invitee = made[names.indexOf('invitee')];
  if (invitee === undefined) throw new Error('no invitee');
  await ok(server, 'PATCH', '/api/me', { group_adds: 'contacts' }, invitee.token);
  return Object.fromEntries(names.map((n, i) => [n, made[i]])) as unknown as People;
}

/** A group room as the matrix needs it, with one message by its owner and one by its member. */
export interface MatrixRoom {
  id: string;
  ownerMessage: string;
  memberMessage: string;
}

/**
 * A group made through the API: the owner adds admin, member, peer and removed (all in at once:
 * their setting is the default "everyone") and invitee (invited: theirs is "contacts"); admin is made admin in the database, as Salon has no
 * route for it yet; then, unless `keepRemoved`, the owner removes `removed`.
 */
export async function makeRoom(
  server: TestServer,
  people: People,
  opts: { keepRemoved?: boolean } = {},
): Promise<MatrixRoom> {
  const { owner, admin, member, invitee, peer, removed } = people;
  const { room } = await ok<{ room: RoomDetail }>(
    server,
    'POST',
    '/api/rooms',
    { name: 'Matrix', members: [admin.id, member.id, invitee.id, peer.id, removed.id] },
    owner.token,
    201,
  );
  await server.salon.db
    .updateTable('memberships')
    .set({ role: 'admin' })
    .where('room_id', '=', room.id)
    .where('user_id', '=', admin.id)
    .execute();
  const ownerMessage = await postMessage(server, owner, room.id, 'from the owner', 'o-1');
  const memberMessage = await postMessage(server, member, room.id, 'from the member', 'm-1');
  if (opts.keepRemoved !== true) await removeFromRoom(server, people, room.id, removed.id);
  await groupEventsStored(server, room.id, opts.keepRemoved === true ? 1 : 2);
  return { id: room.id, ownerMessage: ownerMessage.id, memberMessage: memberMessage.id };
}

/**
 * Waits until the room's group events ("created", "removed") are stored: the message writer
 * stores them after the request has answered, and a cell should start from a settled room.
 */
export async function groupEventsStored(
  server: TestServer,
  roomId: string,
  count: number,
): Promise<void> {
  await waitFor(
    `${String(count)} group events stored`,
    async () => {
      const rows = await server.salon.db
        .selectFrom('messages')
        .select('id')
        .where('room_id', '=', roomId)
        .where('kind', '=', 'event')
        .execute();
      return rows.length >= count;
    },
    20_000,
  );
}

export async function removeFromRoom(
  server: TestServer,
  people: People,
  roomId: string,
  userId: string,
): Promise<void> {
  const res = await api(
    server,
    'DELETE',
    `/api/rooms/${roomId}/members/${userId}`,
    undefined,
    people.owner.token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

/** A new session of `who` (their other sessions stay as they are). */
export async function freshSession(server: TestServer, who: Person): Promise<string> {
  return (await signIn(server, who.phone)).token;
}

/** A new session of `who`, logged out at once: a revoked token. */
export async function revokedSession(server: TestServer, who: Person): Promise<string> {
  const token = await freshSession(server, who);
  const res = await api(server, 'POST', '/api/auth/logout', undefined, token);
  expect(res.status).toBe(204);
  return token;
}

/**
 * Two tickets of `who` that no longer open anything: one spent by a first connection, one whose
 * lifetime is over (signed with the server's secret, as the server signs them, minutes ago).
 */
export async function staleTickets(
  server: TestServer,
  who: Person,
): Promise<{ spent: string; expired: string }> {
  const spent = await ticketFor(server, who.token);
  const first = await RawClient.open(`${server.wsUrl}/cable?ticket=${encodeURIComponent(spent)}`);
  await first.nextFrame(isType('welcome'));
  first.close();
  const session = await server.salon.sessions.authenticate(who.token);
  if (!session) throw new Error('the member has no live session');
  const store = new SqliteLimitStore(':memory:');
  try {
    const signer = new CableTickets(serverSecret(server), 60, store);
    const expired = signer.issue(session.session.id, who.id, Date.now() - 10 * 60_000);
    return { spent, expired };
  } finally {
    store.close();
  }
}

/**
 * What a refused call must leave as it was: the room's name, its members (roles, states, read
 * marks) and its people's messages (bodies, edits, deletions; group events are left out: a live
 * removal records one).
 */
export async function roomState(
  server: TestServer,
  roomId: string,
): Promise<{ name: unknown; members: unknown; messages: unknown }> {
  const db = server.salon.db;
  const [room, members, messages] = await Promise.all([
    db.selectFrom('rooms').select('name').where('id', '=', roomId).executeTakeFirst(),
    db
      .selectFrom('memberships')
      .select(['user_id', 'role', 'state', 'last_read_seq'])
      .where('room_id', '=', roomId)
      .orderBy('user_id')
      .execute(),
    db
      .selectFrom('messages')
      .select(['id', 'body', 'edited_at', 'deleted_at'])
      .where('room_id', '=', roomId)
      .where('kind', '=', 'text')
      .orderBy('seq')
      .execute(),
  ]);
  return { name: room?.name, members, messages };
}
