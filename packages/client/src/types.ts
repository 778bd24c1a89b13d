import type {
  GroupEventView,
  MemberView,
  MessageView,
  RoomDetail,
  RoomSummary,
  UserRef,
  UserView,
} from '@salon/protocol/wire';

export type { GroupEventView, MemberView, MessageView, RoomDetail, RoomSummary, UserRef, UserView };

/**
 * The connection's state, as a closed union (the banner shows it): `offline` while the browser
 * reports no network (sends wait and go out once it is back); `disconnected` once the server
 * ended the connection for good.
 */
export type ConnectionState =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'disconnected';

/** Which transport carries the connection right now. */
export type TransportName = 'websocket' | 'long_polling';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Null while not connected. */
  transport: TransportName | null;
}

/** A message as the client shows it: stored ones have a seq; own unsent ones are pending. */
export interface ClientMessage {
  /** The server's id once stored; until then `pending:<client_id>`. */
  id: string;
  client_id: string;
  /** 0 until stored. */
  seq: number;
  room_id: string;
  /** `event`: a group event in the timeline ("Ana added Ben"), never one's own to send. */
  kind: 'text' | 'event';
  event: GroupEventView | null;
  sender: UserRef;
  body: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  reply_to: string | null;
  /** `sending` until the server's broadcast acknowledges it; `failed` can be retried. */
  status: 'sending' | 'sent' | 'failed';
  /** Why a send failed (an error code and a sentence), when `status` is `failed`. */
  error?: { code: string; message: string };
}

export type Unsubscribe = () => void;

export interface SalonClientOptions {
  /** e.g. http://localhost:3000; in a browser page served by Salon, `location.origin`. */
  baseUrl: string;
  /**
   * How requests and the connection authenticate: `cookie` (the web app: the server's HttpOnly
   * session cookie) or `token` (Node and other apps: the bearer token from sign-in, and short
   * connect tickets for the cable). Default: `cookie` in a browser, `token` elsewhere.
   */
  auth?: 'cookie' | 'token';
  /** A session token from an earlier sign-in (auth `token`). */
  token?: string;
  /** WebSocket implementation (Node: `ws`); default the global one. */
  WebSocket?: unknown;
  /** Transports to try, in order. Default: WebSocket, then long polling. */
  transports?: TransportName[];
  /** Called whenever the token changes (sign-in, logout), to persist it. */
  onToken?: (token: string | null) => void;
}
