import { randomUUID } from 'node:crypto';
import { codeOf } from '../chat/chat-client.js';
import { api, testPhone } from '../helpers/salon-server.js';
import type { CellContext, Credential, HttpProbe } from './cell-context.js';
import { freshSession } from './matrix-world.js';

/** `allowed` for a 2xx, else `<status> <error code>` (or the raw body when it has no code). */
function outcome(status: number, body: unknown): string {
  if (status >= 200 && status < 300) return 'allowed';
  return `${String(status)} ${codeOf(body) ?? JSON.stringify(body)}`;
}

function authHeaders(cred: Credential): Record<string, string> {
  // A ticket is no session token: presented as one it must open nothing.
  if (cred.kind === 'token') return { authorization: `Bearer ${cred.token}` };
  if (cred.kind === 'ticket') return { authorization: `Bearer ${cred.ticket}` };
  return {};
}

async function call(
  ctx: CellContext,
  cred: Credential,
  method: string,
  path: string,
  body?: unknown,
): Promise<string> {
  const res = await api(ctx.server, method, path, body, undefined, authHeaders(cred));
  return outcome(res.status, res.body);
}

const room = (ctx: CellContext): string => `/api/rooms/${ctx.room.id}`;

/** A long poll opened with `cred`: its status and first frame, and its id when it opened. */
async function openPoll(
  ctx: CellContext,
  cred: Credential,
): Promise<{ observed: string; pollId: string | null; cursor: number }> {
  const query = cred.kind === 'ticket' ? `?ticket=${encodeURIComponent(cred.ticket)}` : '';
  const res = await fetch(`${ctx.server.url}/cable/poll${query}`, {
    method: 'POST',
    headers: cred.kind === 'token' ? { authorization: `Bearer ${cred.token}` } : {},
    body: '',
  });
  const first = JSON.parse((await res.text()).split('\n')[0] ?? '{}') as {
    type?: string;
    reason?: string;
  };
  const pollId = res.headers.get('x-salon-poll-id');
  const cursor = Number(res.headers.get('x-salon-poll-cursor') ?? '0');
  if (res.status === 200 && first.type === 'welcome')
    return { observed: 'allowed', pollId, cursor };
  const observed = `${String(res.status)} ${first.reason ?? String(first.type)}`;
  return { observed, pollId, cursor };
}

const USER_SUBSCRIBE = `${JSON.stringify({
  command: 'subscribe',
  identifier: JSON.stringify({ channel: 'UserChannel' }),
})}\n`;

/** The frames of a poll answer, one JSON object a line. */
function framesOf(text: string): { type?: string; reason?: string }[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type?: string; reason?: string });
}

/**
 * Sends a subscribe to UserChannel through `/cable/poll/send`, then polls for what became of it:
 * `allowed` when it was confirmed; `<status> <reason>` when the send was refused; `dropped;
 * disconnect <reason>` when the send was taken (204) but the connection had been closed, so the
 * command did nothing and the next poll carried the disconnect.
 */
async function sendThroughPoll(
  ctx: CellContext,
  pollId: string | null,
  acked = 0,
): Promise<string> {
  const sent = await fetch(`${ctx.server.url}/cable/poll/send`, {
    method: 'POST',
    headers: pollId === null ? {} : { 'x-salon-poll-id': pollId },
    body: USER_SUBSCRIBE,
  });
  const sentText = await sent.text();
  if (sent.status !== 204 || pollId === null)
    return `${String(sent.status)} ${framesOf(sentText)[0]?.reason ?? sentText}`;
  // The answer to the command arrives on the poll (what the first poll carried is acknowledged).
  for (let cursor = acked, i = 0; i < 5; i++) {
    const res = await fetch(`${ctx.server.url}/cable/poll`, {
      method: 'POST',
      headers: { 'x-salon-poll-id': pollId, 'x-salon-poll-cursor': String(cursor) },
      body: '',
    });
    const frames = framesOf(await res.text());
    if (res.status !== 200) return `dropped; ${String(res.status)} ${frames[0]?.reason ?? ''}`;
    if (frames.some((f) => f.type === 'confirm_subscription')) return 'allowed';
    const bye = frames.find((f) => f.type === 'disconnect');
    if (bye) return `dropped; disconnect ${bye.reason ?? '?'}`;
    cursor = Number(res.headers.get('x-salon-poll-cursor') ?? cursor);
  }
  return 'no answer to the command after 5 polls';
}

/** The attempt behind each HTTP row, by row id. */
export const HTTP_PROBES: Readonly<Record<string, HttpProbe>> = {
  'GET /healthz': (ctx, cred) => call(ctx, cred, 'GET', '/healthz'),
  'GET /* (the web app)': async (ctx, cred) => {
    const res = await fetch(`${ctx.server.url}/`, {
      headers: { accept: 'text/html', ...authHeaders(cred) },
    });
    await res.arrayBuffer();
    return outcome(res.status, undefined);
  },
  'POST /api/auth/otp': (ctx, cred) =>
    call(ctx, cred, 'POST', '/api/auth/otp', { phone: testPhone() }),
  'POST /api/auth/verify': async (ctx, cred) => {
    const phone = testPhone();
    await api(ctx.server, 'POST', '/api/auth/otp', { phone });
    const code = await ctx.server.sms.nextCode(phone);
    return call(ctx, cred, 'POST', '/api/auth/verify', { phone, code });
  },
  'POST /api/auth/logout': async (ctx, cred) =>
    // Logging out a caller's own session would spoil every later cell: a session of its own.
    call(
      ctx,
      cred.kind === 'token' && cred.token === ctx.who.token
        ? { kind: 'token', token: await freshSession(ctx.server, ctx.who) }
        : cred,
      'POST',
      '/api/auth/logout',
    ),
  'GET /api/me': (ctx, cred) => call(ctx, cred, 'GET', '/api/me'),
  'PATCH /api/me': (ctx, cred) => call(ctx, cred, 'PATCH', '/api/me', { name: ctx.who.name }),
  'POST /api/cable/tickets': (ctx, cred) => call(ctx, cred, 'POST', '/api/cable/tickets'),
  'GET /api/contacts': (ctx, cred) => call(ctx, cred, 'GET', '/api/contacts'),
  'GET /api/rooms': (ctx, cred) => call(ctx, cred, 'GET', '/api/rooms'),
  'POST /api/rooms': (ctx, cred) =>
    call(ctx, cred, 'POST', '/api/rooms', { name: 'Own group', members: [] }),
  // Notes to self: a direct room that touches nobody else's state.
  'POST /api/dms': (ctx, cred) => call(ctx, cred, 'POST', '/api/dms', { user_id: ctx.who.id }),
  'GET /api/blocks': (ctx, cred) => call(ctx, cred, 'GET', '/api/blocks'),
  'POST /api/blocks': (ctx, cred) =>
    call(ctx, cred, 'POST', '/api/blocks', { user_id: ctx.people.stranger.id }),
  'DELETE /api/blocks/:user_id': (ctx, cred) =>
    call(ctx, cred, 'DELETE', `/api/blocks/${ctx.people.stranger.id}`),
  'GET /api/rooms/:id': (ctx, cred) => call(ctx, cred, 'GET', room(ctx)),
  'PATCH /api/rooms/:id (rename)': (ctx, cred) =>
    call(ctx, cred, 'PATCH', room(ctx), { name: 'Renamed' }),
  'GET /api/rooms/:id/members': (ctx, cred) => call(ctx, cred, 'GET', `${room(ctx)}/members`),
  'POST /api/rooms/:id/members (add someone)': (ctx, cred) =>
    call(ctx, cred, 'POST', `${room(ctx)}/members`, { members: [ctx.people.guest.id] }),
  'DELETE /api/rooms/:id/members/:user_id (another member)': (ctx, cred) =>
    call(ctx, cred, 'DELETE', `${room(ctx)}/members/${ctx.people.peer.id}`),
  'DELETE /api/rooms/:id/members/me (leave)': (ctx, cred) =>
    call(ctx, cred, 'DELETE', `${room(ctx)}/members/me`),
  'POST /api/rooms/:id/accept': (ctx, cred) => call(ctx, cred, 'POST', `${room(ctx)}/accept`),
  'POST /api/rooms/:id/decline': (ctx, cred) => call(ctx, cred, 'POST', `${room(ctx)}/decline`),
  'GET /api/rooms/:id/messages': (ctx, cred) => call(ctx, cred, 'GET', `${room(ctx)}/messages`),
  'POST /api/rooms/:id/messages': (ctx, cred) =>
    call(ctx, cred, 'POST', `${room(ctx)}/messages`, {
      body: 'hello',
      client_id: randomUUID(),
    }),
  "PATCH /api/rooms/:id/messages/:message_id (the member's message)": (ctx, cred) =>
    call(ctx, cred, 'PATCH', `${room(ctx)}/messages/${ctx.room.memberMessage}`, {
      body: 'edited',
    }),
  "DELETE /api/rooms/:id/messages/:message_id (the member's message)": (ctx, cred) =>
    call(ctx, cred, 'DELETE', `${room(ctx)}/messages/${ctx.room.memberMessage}`),
  "DELETE /api/rooms/:id/messages/:message_id (the owner's message)": (ctx, cred) =>
    call(ctx, cred, 'DELETE', `${room(ctx)}/messages/${ctx.room.ownerMessage}`),
  'POST /api/rooms/:id/read': (ctx, cred) =>
    call(ctx, cred, 'POST', `${room(ctx)}/read`, { seq: 1 }),
  'POST /cable/poll (open a long poll)': async (ctx, cred) => (await openPoll(ctx, cred)).observed,
  'POST /cable/poll/send': async (ctx, cred) => {
    if (ctx.caller === 'revoked') {
      // The strong case: a poll opened while the session was live, sent to after logout.
      const token = await freshSession(ctx.server, ctx.who);
      const opened = await openPoll(ctx, { kind: 'token', token });
      if (opened.observed !== 'allowed') return `could not open the poll: ${opened.observed}`;
      await api(ctx.server, 'POST', '/api/auth/logout', undefined, token);
      return sendThroughPoll(ctx, opened.pollId, opened.cursor);
    }
    const opened = await openPoll(ctx, cred);
    const pollId = opened.observed === 'allowed' ? opened.pollId : null;
    return sendThroughPoll(ctx, pollId, opened.cursor);
  },
};

/** Rows whose allowed cells change the room: each such cell gets a room of its own. */
export const HTTP_MUTATING = new Set([
  'PATCH /api/rooms/:id (rename)',
  'POST /api/rooms/:id/members (add someone)',
  'DELETE /api/rooms/:id/members/:user_id (another member)',
  'DELETE /api/rooms/:id/members/me (leave)',
  "PATCH /api/rooms/:id/messages/:message_id (the member's message)",
  "DELETE /api/rooms/:id/messages/:message_id (the member's message)",
  "DELETE /api/rooms/:id/messages/:message_id (the owner's message)",
]);

/** Rows whose allowed cells make an invitee a member, or not one any more. */
export const HTTP_INVITEE_MUTATING = new Set([
  'POST /api/rooms/:id/accept',
  'POST /api/rooms/:id/decline',
  'POST /api/rooms/:id/messages',
]);
