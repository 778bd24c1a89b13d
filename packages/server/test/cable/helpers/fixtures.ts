import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROTOCOL_V1 } from '@salon/protocol';
import { expect } from 'vitest';
import { z } from 'zod';
import {
  Channel,
  defineChannel,
  type ActionHandler,
  type SubscriptionHost,
} from '../../../src/cable/channel.js';
import { AppError } from '../../../src/errors.js';
import type { CableServer } from '../../../src/cable/cable-server.js';
import { api, signIn, type SignedIn, type TestServer } from '../../helpers/salon-server.js';
import { RawClient, isType, type RawClientOptions } from './raw-client.js';

/** A fresh connect ticket for the session of `token`, from POST /api/cable/tickets. */
export async function ticketFor(server: TestServer, token: string): Promise<string> {
  const res = await api(server, 'POST', '/api/cable/tickets', undefined, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const ticket = (res.body as { ticket?: unknown }).ticket;
  if (typeof ticket !== 'string') throw new Error(`no ticket in ${JSON.stringify(res.body)}`);
  return ticket;
}

/**
 * A group room with `memberIds` as members, written straight to the database: the chat HTTP API
 * that would create it is not part of the real-time core.
 */
export async function createRoom(
  server: TestServer,
  memberIds: readonly string[],
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  const owner = memberIds[0];
  if (owner === undefined) throw new Error('a room needs a member');
  await server.salon.db
    .insertInto('rooms')
    .values({
      id,
      kind: 'group',
      name: `room ${id.slice(0, 8)}`,
      direct_key: null,
      created_by: owner,
      created_at: now,
      last_activity_at: now,
    })
    .execute();
  await server.salon.db
    .insertInto('memberships')
    .values(
      memberIds.map((userId, i) => ({
        room_id: id,
        user_id: userId,
        role: i === 0 ? ('owner' as const) : ('member' as const),
        joined_at: now,
      })),
    )
    .execute();
  return id;
}

/** RoomChannel's identifier as Rails would spell it (channel first). */
export const roomIdentifier = (roomId: string): string =>
  JSON.stringify({ channel: 'RoomChannel', room: roomId });

export const echoIdentifier = (stream: string): string =>
  JSON.stringify({ channel: 'EchoChannel', stream });

/**
 * A test-only channel on the public extension point (`cable.channels`): `{"channel":
 * "EchoChannel", "stream": s}` streams `s`; `echo` broadcasts its arguments there (durably when
 * `durable: true`), `whoami` transmits the connection's user, `fail` refuses with FORBIDDEN.
 */
export class EchoChannel extends Channel {
  readonly actions: Readonly<Record<string, ActionHandler>>;
  readonly #stream: string;

  constructor(
    host: SubscriptionHost,
    identifier: string,
    params: Readonly<Record<string, unknown>>,
    cable: CableServer,
  ) {
    super(host, identifier, params);
    this.#stream = typeof params.stream === 'string' ? params.stream : 'echo:default';
    this.actions = {
      echo: (data) => {
        const { durable, ...rest } = data;
        cable.broadcast(this.#stream, { type: 'echo', ...rest }, { durable: durable === true });
      },
      whoami: () => this.transmit({ type: 'whoami', user_id: this.userId }),
      fail: () => {
        throw new AppError('FORBIDDEN', 403, 'This action always fails.');
      },
    };
  }

  override subscribed(): void {
    this.streamFrom(this.#stream);
  }
}

export function installEchoChannel(server: TestServer): void {
  const cable = server.salon.cable;
  cable.channels.set(
    'EchoChannel',
    defineChannel(
      z.strictObject({ channel: z.literal('EchoChannel'), stream: z.string().max(200).optional() }),
      (host, id, params) => new EchoChannel(host, id, params, cable),
    ),
  );
}

/** ws://…/cable with `params` in the query. */
export function cableUrl(server: TestServer, params: Record<string, string> = {}): string {
  const url = new URL('/cable', server.wsUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export interface ConnectOptions extends RawClientOptions {
  /** Query parameters (ticket, sid…). */
  query?: Record<string, string>;
  /** Sent as `Authorization: Bearer`. */
  token?: string;
}

/** Opens a raw connection and waits for its welcome frame. */
export async function connectRaw(
  server: TestServer,
  options: ConnectOptions = {},
): Promise<{ client: RawClient; welcome: Awaited<ReturnType<RawClient['nextFrame']>> }> {
  const client = await RawClient.open(cableUrl(server, options.query), {
    ...options,
    headers: {
      ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
  });
  const welcome = await client.nextFrame(isType('welcome'));
  return { client, welcome };
}

export interface Member {
  signedIn: SignedIn;
  userId: string;
  token: string;
}

/** Signs a new user in over HTTP. */
export async function newUser(server: TestServer): Promise<Member> {
  const signedIn = await signIn(server);
  return { signedIn, userId: signedIn.user.id, token: signedIn.token };
}

/** A signed-in user connected over v1-json (or `protocols`) with a bearer token, welcomed. */
export async function connectedUser(
  server: TestServer,
  protocols: string | string[] = PROTOCOL_V1,
): Promise<Member & { client: RawClient }> {
  const member = await newUser(server);
  const { client } = await connectRaw(server, { token: member.token, protocols });
  return { ...member, client };
}

/** The server's signing secret, as it keeps it in its data dir. */
export function serverSecret(server: TestServer): string {
  return fs.readFileSync(path.join(server.dataDir, 'secret'), 'utf8').trim();
}

/** The id of the (only) live session of `userId`. */
export async function sessionIdOf(server: TestServer, userId: string): Promise<string> {
  const row = await server.salon.db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The registry's counts when nothing at all is connected. */
export const EMPTY_REGISTRY = { connections: 0, users: 0, sessions: 0, streams: 0 };
