import { z } from 'zod';
import type { ErrorCode } from './error-codes.js';

/**
 * The ActionCable wire protocol (actioncable-v1-json) and AnyCable's extension
 * (actioncable-v1-ext-json), as the real clients speak them. See docs/protocol.md.
 */

export const PROTOCOL_V1 = 'actioncable-v1-json';
export const PROTOCOL_EXT = 'actioncable-v1-ext-json';
export const SUPPORTED_PROTOCOLS = [PROTOCOL_V1, PROTOCOL_EXT] as const;
export type CableProtocol = (typeof SUPPORTED_PROTOCOLS)[number];

/** Seconds between server pings: the clients call a connection stale after two missed pings. */
export const PING_INTERVAL_SECONDS = 3;

/** Reasons carried by `disconnect` frames. Stable: clients branch on them. */
export const DISCONNECT_REASONS = [
  /** No valid credential, or the session was revoked. Do not reconnect with the same one. */
  'unauthorized',
  /** The connect ticket expired: fetch a new one and reconnect (AnyCable's name for it). */
  'token_expired',
  /** The server is restarting or shutting down: reconnect. */
  'server_restart',
  /** The client could not keep up with its frames; reconnect and recover through history. */
  'slow_consumer',
  /** The client sent commands faster than allowed. */
  'rate_limited',
  /** The user has too many open connections. */
  'too_many_connections',
  /** A long-polling session was not polled in time. */
  'session_expired',
  /** The client broke the protocol in a way that ends the connection. */
  'invalid_request',
] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

/**
 * WebSocket close codes Salon uses besides the standard ones (1000 normal, 1001 going away,
 * 1009 message too big). 4000-4999 is the range RFC 6455 leaves to applications.
 */
export const CLOSE_CODES = {
  unauthorized: 4001,
  token_expired: 4002,
  server_restart: 4003,
  slow_consumer: 4004,
  rate_limited: 4005,
  too_many_connections: 4006,
  session_expired: 4007,
  invalid_request: 4008,
} as const satisfies Record<DisconnectReason, number>;

// ---------------------------------------------------------------- client → server

const StreamPosition = z.object({
  epoch: z.string().max(64),
  offset: z.number().int().nonnegative(),
});

/**
 * Positions by stream name. zod drops a `__proto__` key without a word (JSON.parse makes it an own
 * key), which would let a malformed position through unseen: such a name is refused instead.
 */
const StreamPositions = z
  .custom<object>((value) => typeof value === 'object' && value !== null, 'Expected an object')
  .refine((value) => !Object.hasOwn(value, '__proto__'), 'Stream names cannot be __proto__')
  .pipe(z.record(z.string().max(256), StreamPosition));

export const HistoryRequest = z.object({
  /** Unix seconds (client clock). */
  since: z.number().nonnegative().optional(),
  streams: StreamPositions.optional(),
});
export type HistoryRequest = z.infer<typeof HistoryRequest>;

const Identifier = z.string().min(1).max(1024);

/** Every command a client may send. Unknown fields are ignored, as the reference servers do. */
export const ClientCommand = z.discriminatedUnion('command', [
  z.object({
    command: z.literal('subscribe'),
    identifier: Identifier,
    history: HistoryRequest.optional(),
  }),
  z.object({ command: z.literal('unsubscribe'), identifier: Identifier }),
  z.object({ command: z.literal('message'), identifier: Identifier, data: z.string().max(65_536) }),
  z.object({ command: z.literal('history'), identifier: Identifier, history: HistoryRequest }),
  z.object({ command: z.literal('pong') }),
  // Ext features Salon accepts without acting on them (typing goes through channel actions).
  z.object({ command: z.literal('whisper'), identifier: Identifier }),
  z.object({ command: z.literal('join'), identifier: Identifier }),
  z.object({ command: z.literal('leave'), identifier: Identifier }),
  z.object({ command: z.literal('presence'), identifier: Identifier }),
]);
export type ClientCommand = z.infer<typeof ClientCommand>;

/** The parsed form of an identifier: a JSON object naming its channel. */
export const ChannelIdentifier = z.looseObject({ channel: z.string().min(1).max(128) });
export type ChannelIdentifier = z.infer<typeof ChannelIdentifier>;

/**
 * The one spelling of an identifier the server accepts: its params as compact JSON with the keys
 * sorted, which is what `@anycable/core` sends (`stringifyParams`) and what `@rails/actioncable`
 * sends when `channel` is written first (`{channel, room}` is already in order). One spelling per
 * subscription means a client cannot hold the same subscription many times over by reordering
 * keys or adding spaces.
 */
export function canonicalIdentifier(params: Readonly<Record<string, unknown>>): string {
  const parts = Object.keys(params)
    .sort()
    .filter((k) => params[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(params[k])}`);
  return `{${parts.join(',')}}`;
}

/** Room ids are UUIDs (any node can make them). */
const RoomId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/**
 * The identifier params of Salon's channels, exactly: a key a channel does not know makes the
 * identifier invalid (`reject_subscription`).
 */
export const RoomChannelParams = z.strictObject({
  channel: z.literal('RoomChannel'),
  room: RoomId,
});
export const UserChannelParams = z.strictObject({ channel: z.literal('UserChannel') });
export const InboxChannelParams = z.strictObject({ channel: z.literal('InboxChannel') });

/** `data` of a `message` command, once JSON-decoded: the action name plus its arguments. */
export const PerformData = z.looseObject({ action: z.string().min(1).max(128).optional() });

// ---------------------------------------------------------------- server → client

export interface WelcomeFrame {
  type: 'welcome';
  /** ext: the session id to send back as ?sid= to restore the session. */
  sid?: string;
  restored?: boolean;
  restored_ids?: string[];
}
export interface PingFrame {
  type: 'ping';
  message: number;
}
export interface DisconnectFrame {
  type: 'disconnect';
  reason: DisconnectReason;
  reconnect: boolean;
}
export interface SubscriptionFrame {
  type: 'confirm_subscription' | 'reject_subscription' | 'confirm_history' | 'reject_history';
  identifier: string;
}
export interface DataFrame<M = unknown> {
  identifier: string;
  message: M;
  /** ext only, on durable broadcasts. */
  stream_id?: string;
  epoch?: string;
  offset?: number;
}
/** ext: the answer to a `presence` command (Salon keeps presence in chat events, so it is empty). */
export interface PresenceInfoFrame {
  type: 'presence';
  identifier: string;
  message: { type: 'info'; total: number; records: { id: string; info?: unknown }[] };
}
export type ServerFrame =
  WelcomeFrame | PingFrame | DisconnectFrame | SubscriptionFrame | PresenceInfoFrame | DataFrame;

/**
 * What the server sends to one subscription when a command on it fails. `action` and
 * `client_id` name what failed, so a client can mark that very message as failed.
 */
export interface ChannelErrorPayload {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
  client_id?: string;
  /** Seconds to wait before trying again (RATE_LIMITED), as HTTP's Retry-After. */
  retry_after?: number;
}
