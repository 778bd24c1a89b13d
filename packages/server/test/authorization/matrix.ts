/**
 * Who may do what: every HTTP route and every cable action, against every kind of caller, as
 * data. authorization.test.ts runs each cell against a real server and fails when a route or a
 * channel action exists that this table does not list; write-doc.ts renders the last run as
 * docs/authorization.md. Plain data only: the doc writer imports it without starting anything.
 *
 * An expected outcome is `allowed`, or the refusal the caller must see:
 * - HTTP: `<status> <error code>` (e.g. `404 ROOM_NOT_FOUND`; a non-member is told the room does
 *   not exist, as for a room that really does not exist, so that existence does not leak);
 * - long polling: `<status> <disconnect reason>` (its answers are cable frames, not error bodies);
 * - cable: `disconnect <reason>` (the connection is refused or closed), `reject_subscription`,
 *   `reject_history`, or `error <code>` (the channel's error frame for that action).
 */

export const CALLERS = [
  'owner',
  'admin',
  'member',
  'invitee',
  'removed',
  'outsider',
  'revoked',
  'stale_ticket',
  'anonymous',
] as const;
export type Caller = (typeof CALLERS)[number];

/** What each column is, for the doc. */
export const CALLER_NOTES: Readonly<Record<Caller, string>> = {
  owner: 'signed in; created the group room (role owner)',
  admin: 'signed in; role admin in the room',
  member: 'signed in; plain member of the room',
  invitee:
    'signed in; invited to the room and has not accepted (their setting asks first: group_adds "contacts"); may read, and replying accepts (their typing is taken and not shown)',
  removed:
    'signed in; was a member until the owner removed them (on the cable: subscribed while a member, then removed)',
  outsider: 'signed in; never in the room',
  revoked:
    "a member's session after POST /api/auth/logout (on the cable: connected and subscribed first, then logged out)",
  stale_ticket:
    "a member's connect ticket already spent, and one already expired (HTTP: sent as a bearer token; cable and polling: as ?ticket=)",
  anonymous: 'no credential at all',
};

export const ALLOWED = 'allowed';

export type Surface = 'http' | 'cable';

export interface MatrixRow {
  /** Unique; names the row in the doc and the cells' tests. */
  readonly id: string;
  readonly surface: Surface;
  /** HTTP: the Fastify route it covers, `METHOD /path/:param` (several rows may share one). */
  readonly route?: string;
  /** Cable: the channel (or `cable` for the connection itself) and the action or command. */
  readonly channel?: string;
  readonly action?: string;
  /** The outcome each caller must get. */
  readonly expect: Readonly<Record<Caller, string>>;
}

type RoomCallers = Pick<Record<Caller, string>, 'owner' | 'admin' | 'member' | 'invitee'>;

const NOT_FOUND = '404 ROOM_NOT_FOUND';
const FORBIDDEN = '403 FORBIDDEN';
const UNAUTHORIZED = '401 UNAUTHORIZED';

/** No session, no entry: what every authenticated route answers the last three columns. */
const HTTP_NO_SESSION = {
  revoked: UNAUTHORIZED,
  stale_ticket: UNAUTHORIZED,
  anonymous: UNAUTHORIZED,
} as const;

const CABLE_NO_SESSION = {
  revoked: 'disconnect unauthorized',
  stale_ticket: 'disconnect token_expired',
  anonymous: 'disconnect unauthorized',
} as const;

const everyone = (outcome: string): Record<Caller, string> =>
  Object.fromEntries(CALLERS.map((c) => [c, outcome])) as Record<Caller, string>;

/** A route any live session may use, whatever its rooms. */
function signedIn(id: string, route = id): MatrixRow {
  return {
    id,
    surface: 'http',
    route,
    expect: { ...everyone(ALLOWED), ...HTTP_NO_SESSION },
  };
}

/** A route on one room: the room's own people as given, everyone else as if it did not exist. */
function roomRoute(id: string, route: string, inRoom: RoomCallers): MatrixRow {
  return {
    id,
    surface: 'http',
    route,
    expect: { ...inRoom, removed: NOT_FOUND, outsider: NOT_FOUND, ...HTTP_NO_SESSION },
  };
}

const allInRoom: RoomCallers = {
  owner: ALLOWED,
  admin: ALLOWED,
  member: ALLOWED,
  invitee: ALLOWED,
};
const adminsOnly: RoomCallers = {
  owner: ALLOWED,
  admin: ALLOWED,
  member: FORBIDDEN,
  invitee: FORBIDDEN,
};
/** Only an invitation can be accepted or declined; the others are already in. */
const inviteeOnly: RoomCallers = {
  owner: '409 NOTHING_TO_ACCEPT',
  admin: '409 NOTHING_TO_ACCEPT',
  member: '409 NOTHING_TO_ACCEPT',
  invitee: ALLOWED,
};

export const HTTP_ROWS: readonly MatrixRow[] = [
  { id: 'GET /healthz', surface: 'http', route: 'GET /healthz', expect: everyone(ALLOWED) },
  {
    id: 'GET /* (the web app)',
    surface: 'http',
    route: 'GET /*',
    expect: everyone(ALLOWED),
  },
  {
    id: 'POST /api/auth/otp',
    surface: 'http',
    route: 'POST /api/auth/otp',
    expect: everyone(ALLOWED),
  },
  {
    id: 'POST /api/auth/verify',
    surface: 'http',
    route: 'POST /api/auth/verify',
    expect: everyone(ALLOWED),
  },
  signedIn('POST /api/auth/logout'),
  signedIn('GET /api/me'),
  signedIn('PATCH /api/me'),
  signedIn('POST /api/cable/tickets'),
  signedIn('GET /api/contacts'),
  signedIn('GET /api/rooms'),
  signedIn('POST /api/rooms'),
  signedIn('POST /api/dms'),
  signedIn('GET /api/blocks'),
  signedIn('POST /api/blocks'),
  signedIn('DELETE /api/blocks/:user_id'),
  roomRoute('GET /api/rooms/:id', 'GET /api/rooms/:id', allInRoom),
  roomRoute('PATCH /api/rooms/:id (rename)', 'PATCH /api/rooms/:id', adminsOnly),
  roomRoute('GET /api/rooms/:id/members', 'GET /api/rooms/:id/members', allInRoom),
  roomRoute('POST /api/rooms/:id/members (add someone)', 'POST /api/rooms/:id/members', adminsOnly),
  roomRoute(
    'DELETE /api/rooms/:id/members/:user_id (another member)',
    'DELETE /api/rooms/:id/members/:user_id',
    adminsOnly,
  ),
  roomRoute(
    'DELETE /api/rooms/:id/members/me (leave)',
    'DELETE /api/rooms/:id/members/:user_id',
    allInRoom,
  ),
  roomRoute('POST /api/rooms/:id/accept', 'POST /api/rooms/:id/accept', inviteeOnly),
  roomRoute('POST /api/rooms/:id/decline', 'POST /api/rooms/:id/decline', inviteeOnly),
  roomRoute('GET /api/rooms/:id/messages', 'GET /api/rooms/:id/messages', allInRoom),
  roomRoute('POST /api/rooms/:id/messages', 'POST /api/rooms/:id/messages', allInRoom),
  roomRoute(
    "PATCH /api/rooms/:id/messages/:message_id (the member's message)",
    'PATCH /api/rooms/:id/messages/:message_id',
    { owner: FORBIDDEN, admin: FORBIDDEN, member: ALLOWED, invitee: FORBIDDEN },
  ),
  roomRoute(
    "DELETE /api/rooms/:id/messages/:message_id (the member's message)",
    'DELETE /api/rooms/:id/messages/:message_id',
    { ...allInRoom, invitee: FORBIDDEN },
  ),
  roomRoute(
    "DELETE /api/rooms/:id/messages/:message_id (the owner's message)",
    'DELETE /api/rooms/:id/messages/:message_id',
    adminsOnly,
  ),
  roomRoute('POST /api/rooms/:id/read', 'POST /api/rooms/:id/read', allInRoom),
  {
    id: 'POST /cable/poll (open a long poll)',
    surface: 'http',
    route: 'POST /cable/poll',
    expect: {
      ...everyone(ALLOWED),
      revoked: '401 unauthorized',
      stale_ticket: '401 token_expired',
      anonymous: '401 unauthorized',
    },
  },
  {
    id: 'POST /cable/poll/send',
    surface: 'http',
    route: 'POST /cable/poll/send',
    expect: {
      ...everyone(ALLOWED),
      // Logged out while its poll was open: the poll's id still takes commands for a moment (so
      // the client collects its last frames) but the connection is closed and runs none of them.
      revoked: 'dropped; disconnect unauthorized',
      stale_ticket: '410 session_expired',
      anonymous: '410 session_expired',
    },
  },
];

/**
 * On the cable the room's own people act through a subscription; a RoomChannel subscription is
 * refused to anyone else (and ended when its user is removed), so their actions find none.
 */
function roomChannel(action: string, inRoom: Partial<RoomCallers> = {}): MatrixRow {
  return {
    id: `RoomChannel ${action}`,
    surface: 'cable',
    channel: 'RoomChannel',
    action: action.split(' ')[0] ?? action,
    expect: {
      ...allInRoom,
      ...inRoom,
      removed: 'error NOT_SUBSCRIBED',
      outsider: 'error NOT_SUBSCRIBED',
      ...CABLE_NO_SESSION,
    },
  };
}

/** The inbox is everyone's own; a room it does not follow is, to it, a room that does not exist. */
function inboxChannel(action: string, inRoom: Partial<RoomCallers> = {}): MatrixRow {
  return {
    id: `InboxChannel ${action}`,
    surface: 'cable',
    channel: 'InboxChannel',
    action: action.split(' ')[0] ?? action,
    expect: {
      ...allInRoom,
      ...inRoom,
      removed: 'error ROOM_NOT_FOUND',
      outsider: 'error ROOM_NOT_FOUND',
      ...CABLE_NO_SESSION,
    },
  };
}

const senderOnly = {
  owner: 'error FORBIDDEN',
  admin: 'error FORBIDDEN',
  invitee: 'error FORBIDDEN',
};
const notByInvitee = { invitee: 'error FORBIDDEN' };
const notByMembers = { member: 'error FORBIDDEN', invitee: 'error FORBIDDEN' };

export const CABLE_ROWS: readonly MatrixRow[] = [
  {
    id: 'cable connect (WebSocket /cable)',
    surface: 'cable',
    channel: 'cable',
    action: 'connect',
    expect: { ...everyone(ALLOWED), ...CABLE_NO_SESSION },
  },
  {
    id: 'RoomChannel subscribe',
    surface: 'cable',
    channel: 'RoomChannel',
    action: 'subscribe',
    expect: {
      ...allInRoom,
      removed: 'reject_subscription',
      outsider: 'reject_subscription',
      ...CABLE_NO_SESSION,
    },
  },
  roomChannel('speak'),
  roomChannel('typing'),
  roomChannel('read'),
  roomChannel("edit (the member's message)", senderOnly),
  roomChannel("delete (the member's message)", notByInvitee),
  roomChannel("delete (the owner's message)", notByMembers),
  {
    id: 'RoomChannel history (ext protocol)',
    surface: 'cable',
    channel: 'RoomChannel',
    action: 'history',
    expect: {
      ...allInRoom,
      removed: 'reject_history',
      outsider: 'reject_history',
      ...CABLE_NO_SESSION,
    },
  },
  {
    id: 'InboxChannel subscribe',
    surface: 'cable',
    channel: 'InboxChannel',
    action: 'subscribe',
    expect: { ...everyone(ALLOWED), ...CABLE_NO_SESSION },
  },
  inboxChannel('speak'),
  inboxChannel('typing'),
  inboxChannel('read'),
  inboxChannel("edit (the member's message)", senderOnly),
  inboxChannel("delete (the member's message)", notByInvitee),
  inboxChannel("delete (the owner's message)", notByMembers),
  {
    id: 'UserChannel subscribe',
    surface: 'cable',
    channel: 'UserChannel',
    action: 'subscribe',
    expect: { ...everyone(ALLOWED), ...CABLE_NO_SESSION },
  },
];

export const MATRIX: readonly MatrixRow[] = [...HTTP_ROWS, ...CABLE_ROWS];

/**
 * Client commands that carry no authority of their own, so have no row: `unsubscribe` ends one's
 * own subscription; `pong`, `whisper`, `join` and `leave` are accepted and ignored; `presence`
 * answers an empty list. `message` is every channel action's row; `subscribe` and `history` have
 * rows of their own.
 */
export const COMMANDS_WITHOUT_AUTHORITY = [
  'unsubscribe',
  'pong',
  'whisper',
  'join',
  'leave',
  'presence',
] as const;
export const COMMANDS_IN_ROWS = ['subscribe', 'message', 'history'] as const;

/**
 * HEAD routes Fastify adds beside each GET answer as the GET does (same handler, same checks):
 * they are covered by the GET row.
 */
export function coveredRoute(route: string): string {
  return route.startsWith('HEAD ') ? `GET ${route.slice(5)}` : route;
}

/** The cell's test name: also how write-doc.ts finds the cell in vitest's JSON report. */
export const cellName = (row: MatrixRow, caller: Caller): string =>
  `${row.id} | ${caller} | expects ${row.expect[caller]}`;
