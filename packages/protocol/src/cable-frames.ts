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
