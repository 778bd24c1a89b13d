import { randomUUID } from 'node:crypto';
import { PROTOCOL_EXT, PROTOCOL_V1 } from '@salon/protocol';
import { RawClient, isType, type Frame } from '../cable/helpers/raw-client.js';
import { api } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import type { CellContext, Credential } from './cell-context.js';
import { ALLOWED, type Caller, type MatrixRow } from './matrix.js';
import { freshSession, removeFromRoom } from './matrix-world.js';

const INBOX = JSON.stringify({ channel: 'InboxChannel' });
const USER = JSON.stringify({ channel: 'UserChannel' });
const roomId = (id: string): string => JSON.stringify({ channel: 'RoomChannel', room: id });

/** The identifier a row's channel is subscribed with, for the cell's room. */
function identifierFor(row: MatrixRow, ctx: CellContext): string | undefined {
  if (row.channel === 'RoomChannel') return roomId(ctx.room.id);
  if (row.channel === 'InboxChannel') return INBOX;
  if (row.channel === 'UserChannel') return USER;
  return undefined;
}

/**
 * Opens a connection with `cred`: the welcomed client, or the reason it was refused (the
 * disconnect frame the server sends before it closes).
 */
async function connect(
  ctx: CellContext,
  cred: Credential,
  protocol: string,
): Promise<RawClient | string> {
  const query = cred.kind === 'ticket' ? `?ticket=${encodeURIComponent(cred.ticket)}` : '';
  const client = await RawClient.open(`${ctx.server.wsUrl}/cable${query}`, {
    protocols: protocol,
    headers: cred.kind === 'token' ? { authorization: `Bearer ${cred.token}` } : {},
  });
  const first = await client.nextFrame(
    (f) => f.type === 'welcome' || f.type === 'disconnect',
    5000,
  );
  if (first.type === 'welcome') return client;
  await client.waitClosed(5000);
  return `disconnect ${first.reason ?? '?'}`;
}

/** Subscribes and returns the server's answer. */
async function subscribe(client: RawClient, identifier: string): Promise<string> {
  client.subscribe(identifier);
  const answer = await client.nextFrame(
    (f) =>
      f.identifier === identifier &&
      (f.type === 'confirm_subscription' || f.type === 'reject_subscription'),
  );
  return answer.type === 'confirm_subscription' ? 'allowed' : 'reject_subscription';
}

const isError =
  (identifier: string) =>
  (f: Frame): boolean =>
    f.identifier === identifier &&
    f.type === undefined &&
    (f.message as { type?: string } | undefined)?.type === 'error';

/** The data a row's action sends, for the cell's room (the inbox names the room in it). */
function actionData(row: MatrixRow, ctx: CellContext): Record<string, unknown> {
  const onInbox = row.channel === 'InboxChannel' ? { room: ctx.room.id } : {};
  const target = row.id.includes("owner's message")
    ? ctx.room.ownerMessage
    : ctx.room.memberMessage;
  switch (row.action) {
    case 'speak':
      return { ...onInbox, action: 'speak', body: 'hello', client_id: randomUUID() };
    case 'typing':
      return { ...onInbox, action: 'typing' };
    case 'read':
      return { ...onInbox, action: 'read', seq: 1 };
    case 'edit':
      return { ...onInbox, action: 'edit', message_id: target, body: 'edited' };
    case 'delete':
      return { ...onInbox, action: 'delete', message_id: target };
    default:
      throw new Error(`no data for action ${String(row.action)}`);
  }
}

/**
 * What an allowed action must have done, checked in the database (speak is stored by the message
 * job after the action returns: waited for).
 */
async function expectEffect(
  ctx: CellContext,
  row: MatrixRow,
  data: Record<string, unknown>,
): Promise<string> {
  const db = ctx.server.salon.db;
  if (row.action === 'speak') {
    const clientId = String(data.client_id);
    await waitFor('the spoken message stored', async () =>
      (await db
        .selectFrom('messages')
        .select('id')
        .where('client_id', '=', clientId)
        .executeTakeFirst()) !== undefined
        ? true
        : undefined,
    );
  }
  if (row.action === 'edit' || row.action === 'delete') {
    const m = await db
      .selectFrom('messages')
      .select(['body', 'deleted_at'])
      .where('id', '=', String(data.message_id))
      .executeTakeFirstOrThrow();
    const done = row.action === 'edit' ? m.body === 'edited' : m.deleted_at !== null;
    if (!done) return `no error frame, but the message was not ${row.action}ed`;
  }
  return 'allowed';
}

/** Performs the row's action (or history) on a subscription the client holds, or tried to. */
async function act(
  ctx: CellContext,
  row: MatrixRow,
  client: RawClient,
  identifier: string,
): Promise<string> {
  if (row.action === 'subscribe') return subscribe(client, identifier);
  if (row.action === 'history') {
    client.send({ command: 'history', identifier, history: { since: 1 } });
    const answer = await client.nextFrame(
      (f) =>
        f.identifier === identifier &&
        (f.type === 'confirm_history' || f.type === 'reject_history'),
    );
    return answer.type === 'confirm_history' ? 'allowed' : 'reject_history';
  }
  const data = actionData(row, ctx);
  client.perform(identifier, data);
  // Commands run in order: once the barrier's answer is in, so is any error for the action.
  await client.barrier();
  const error = client.take(isError(identifier))[0];
  if (error) return `error ${String((error.message as { code?: string }).code)}`;
  return expectEffect(ctx, row, data);
}

/** How a removal reached the subscription: RoomChannel's is ended; the inbox drops the room. */
async function removedWhileSubscribed(
  ctx: CellContext,
  row: MatrixRow,
  client: RawClient,
  identifier: string,
): Promise<void> {
  await removeFromRoom(ctx.server, ctx.people, ctx.room.id, ctx.who.id);
  if (row.channel === 'RoomChannel') {
    await client.nextFrame(isType('reject_subscription', identifier));
  } else {
    await client.nextFrame(
      (f) =>
        f.identifier === identifier &&
        (f.message as { type?: string; room_id?: string } | undefined)?.type === 'room_removed',
    );
  }
}

/** One attempt at a cable row with one credential; returns what the caller got. */
export async function probeCable(
  ctx: CellContext,
  row: MatrixRow,
  cred: Credential,
): Promise<string> {
  const protocol = row.action === 'history' ? PROTOCOL_EXT : PROTOCOL_V1;
  const identifier = identifierFor(row, ctx);

  if (ctx.caller === 'revoked') {
    // Connected (and subscribed) while the session was live; then logged out elsewhere.
    const token = await freshSession(ctx.server, ctx.who);
    const client = await connect(ctx, { kind: 'token', token }, protocol);
    if (typeof client === 'string') return `could not connect while live: ${client}`;
    if (identifier !== undefined) await subscribe(client, identifier);
    await api(ctx.server, 'POST', '/api/auth/logout', undefined, token);
    const bye = await client.nextFrame(isType('disconnect'), 5000);
    await client.waitClosed(5000);
    const again = await connect(ctx, { kind: 'token', token }, protocol);
    const reason = `disconnect ${bye.reason ?? '?'}`;
    if (typeof again !== 'string') return `${reason}, yet the token connects again`;
    return again === reason ? reason : `${reason}, then reconnecting: ${again}`;
  }

  const client = await connect(ctx, cred, protocol);
  if (typeof client === 'string') return client;
  if (row.action === 'connect' || identifier === undefined) return 'allowed';

  if (liveRemoval(row, ctx.caller)) {
    // Subscribed while still a member, then removed: the subscription must not outlive that.
    const answer = await subscribe(client, identifier);
    if (answer !== 'allowed') return `could not subscribe while a member: ${answer}`;
    await removedWhileSubscribed(ctx, row, client, identifier);
  } else if (row.action !== 'subscribe') {
    // Whatever the answer (a non-member's is a refusal), the action is tried next.
    await subscribe(client, identifier);
  }
  return act(ctx, row, client, identifier);
}

/**
 * A removed member's cell on a room is played live: subscribed while a member, then removed by
 * the owner (their inbox and user channels are theirs whatever their rooms: no removal there).
 */
export function liveRemoval(row: MatrixRow, caller: Caller): boolean {
  if (caller !== 'removed') return false;
  return (
    row.channel === 'RoomChannel' || (row.channel === 'InboxChannel' && row.action !== 'subscribe')
  );
}

/**
 * Cable cells that need a room of their own: an allowed edit or delete changes the room, an
 * invitee's message accepts the invitation, and a live removal removes someone from it.
 */
export function cableNeedsFreshRoom(row: MatrixRow, caller: Caller): boolean {
  if (liveRemoval(row, caller)) return true;
  if (row.expect[caller] !== ALLOWED) return false;
  // An invitee who speaks has accepted: later cells need them still invited.
  if (caller === 'invitee' && row.action === 'speak') return true;
  return row.action === 'edit' || row.action === 'delete';
}
