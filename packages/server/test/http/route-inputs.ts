import type { JunkClass } from '../helpers/junk.js';

/**
 * Every HTTP route of the server and what it reads from a request, for the bad-input property
 * test. A route the server registers that is missing here fails that test: a new route must say
 * what it takes before it ships.
 */

/** What a field holds, which decides the junk it may accept (see MAY_ACCEPT). */
export type FieldKind =
  | 'phone'
  | 'otp_code'
  | 'name'
  | 'enum'
  | 'id'
  /** An id or null (a message's `reply_to`). */
  | 'nullable_id'
  | 'client_id'
  | 'message_body'
  | 'id_list'
  | 'boolean'
  | 'count';

/** Ids of what the fixture made, filled into paths and bodies. */
export interface Ids {
  room: string;
  message: string;
  other: string;
}

export type RouteInput =
  /** A JSON object body: a valid one, and the kind of each of its fields. */
  | {
      kind: 'json';
      valid: (ids: Ids) => Record<string, unknown>;
      fields: Record<string, FieldKind>;
      /** No token: the sign-in routes. */
      anonymous?: boolean;
    }
  /** A query string: its fields (all read-only GETs). */
  | { kind: 'query'; fields: Record<string, 'count' | 'text'> }
  /** Long-poll command lines, not JSON: the cable reads them (test/cable/). */
  | { kind: 'lines' }
  /** Nothing is read from the body or the query. */
  | { kind: 'none' };

export interface RouteSpec {
  method: string;
  /** As Fastify names it, with :params. */
  url: string;
  input: RouteInput;
}

/**
 * Junk a field may take as valid: "NaN" is a fine name and a fine client id, a message may carry
 * direction marks (docs/errors.md), and -0 or 1e-400 read as the number 0. Every other class is
 * refused for every field.
 */
export const MAY_ACCEPT: Readonly<Record<FieldKind, readonly JunkClass[]>> = {
  phone: [],
  otp_code: [],
  name: ['number_like_string'],
  enum: [],
  id: [],
  nullable_id: [],
  client_id: ['number_like_string'],
  message_body: ['number_like_string', 'bidi_override'],
  id_list: [],
  boolean: [],
  count: ['huge_number'],
};

const body = (
  fields: Record<string, FieldKind>,
  valid: (ids: Ids) => Record<string, unknown>,
  anonymous = false,
): RouteInput => ({ kind: 'json', fields, valid, anonymous });

const none: RouteInput = { kind: 'none' };

let sends = 0;

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', url: '/healthz', input: none },
  // The web app's files (static-web.ts): paths only.
  { method: 'GET', url: '/', input: none },
  { method: 'GET', url: '/*', input: none },
  {
    method: 'POST',
    url: '/api/auth/otp',
    input: body({ phone: 'phone' }, () => ({ phone: '+14155552671' }), true),
  },
  {
    method: 'POST',
    url: '/api/auth/verify',
    input: body(
      { phone: 'phone', code: 'otp_code' },
      () => ({ phone: '+14155552671', code: '123456' }),
      true,
    ),
  },
  { method: 'POST', url: '/api/auth/logout', input: none },
  { method: 'GET', url: '/api/me', input: none },
  {
    method: 'PATCH',
    url: '/api/me',
    input: body({ name: 'name', group_adds: 'enum' }, () => ({
      name: 'Ana',
      group_adds: 'everyone',
    })),
  },
  { method: 'POST', url: '/api/cable/tickets', input: none },
  { method: 'POST', url: '/cable/poll', input: { kind: 'lines' } },
  { method: 'POST', url: '/cable/poll/send', input: { kind: 'lines' } },
  {
    method: 'GET',
    url: '/api/rooms',
    input: { kind: 'query', fields: { limit: 'count', cursor: 'text' } },
  },
  {
    method: 'POST',
    url: '/api/rooms',
    input: body({ name: 'name', members: 'id_list' }, (ids) => ({
      name: 'Group',
      members: [ids.other],
    })),
  },
  {
    method: 'POST',
    url: '/api/dms',
    input: body({ user_id: 'id' }, (ids) => ({ user_id: ids.other })),
  },
  { method: 'GET', url: '/api/rooms/:id', input: none },
  {
    method: 'PATCH',
    url: '/api/rooms/:id',
    input: body({ name: 'name' }, () => ({ name: 'Renamed' })),
  },
  { method: 'GET', url: '/api/rooms/:id/members', input: none },
  { method: 'POST', url: '/api/rooms/:id/accept', input: none },
  {
    method: 'POST',
    url: '/api/rooms/:id/decline',
    input: body({ block: 'boolean' }, () => ({ block: false })),
  },
  {
    method: 'POST',
    url: '/api/rooms/:id/members',
    input: body({ members: 'id_list' }, (ids) => ({ members: [ids.other] })),
  },
  { method: 'DELETE', url: '/api/rooms/:id/members/:user_id', input: none },
  {
    method: 'GET',
    url: '/api/rooms/:id/messages',
    input: { kind: 'query', fields: { before: 'count', after: 'count', limit: 'count' } },
  },
  {
    method: 'POST',
    url: '/api/rooms/:id/messages',
    input: body(
      { body: 'message_body', client_id: 'client_id', reply_to: 'nullable_id' },
      // A fresh client id each time: a repeated one is answered with the message it first sent.
      (ids) => ({ body: 'hello', client_id: `c-${String(++sends)}`, reply_to: ids.message }),
    ),
  },
  {
    method: 'PATCH',
    url: '/api/rooms/:id/messages/:message_id',
    input: body({ body: 'message_body' }, () => ({ body: 'edited' })),
  },
  { method: 'DELETE', url: '/api/rooms/:id/messages/:message_id', input: none },
  {
    method: 'POST',
    url: '/api/rooms/:id/read',
    input: body({ seq: 'count' }, () => ({ seq: 1 })),
  },
  {
    method: 'GET',
    url: '/api/contacts',
    input: { kind: 'query', fields: { q: 'text', limit: 'count' } },
  },
  { method: 'GET', url: '/api/blocks', input: none },
  {
    method: 'POST',
    url: '/api/blocks',
    input: body({ user_id: 'id' }, (ids) => ({ user_id: ids.other })),
  },
  { method: 'DELETE', url: '/api/blocks/:user_id', input: none },
];

/** `url` with its params filled in from the fixture. */
export function fillPath(url: string, ids: Ids): string {
  return url
    .replace(':id', ids.room)
    .replace(':message_id', ids.message)
    .replace(':user_id', ids.other)
    .replace('*', 'index.html');
}
