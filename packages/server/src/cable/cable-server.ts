import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CLOSE_CODES,
  PING_INTERVAL_SECONDS,
  PROTOCOL_EXT,
  SUPPORTED_PROTOCOLS,
  type DisconnectReason,
} from '@salon/protocol';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthContext, SessionService } from '../auth/session-service.js';
import type { AppError } from '../errors.js';
import type { ClientAddress } from '../http/client-address.js';
import type { Broker, ControlCommand } from '../broker/broker.js';
import type { NodeHealth, PresenceTracker, RestoreStore } from '../cluster/seams.js';
import { requestScheme, type OriginPolicy } from '../http/origin.js';
import {
  authenticateCable,
  type CableAuthDeps,
  type CableAuthResult,
  type RequestSelf,
} from './cable-auth.js';
import type { ChannelDefinition } from './channel.js';
import { Connection, type ConnectionDeps } from './connection.js';
import type { IpAdmission } from './ip-admission.js';
import { LongPollTransport, type PollResult } from './long-poll-transport.js';
import { PreparedFrame } from './prepared-frame.js';
import type { ConnectionRegistry } from './registry.js';
import { SessionCache } from './session-cache.js';
import type { CableTickets } from './tickets.js';
import type { Transport } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

export interface CableOptions {
  /** Largest incoming frame, bytes; larger closes the connection with 1009. */
  maxFrameBytes: number;
  /** Unsent bytes per connection before it is dropped as a slow consumer. */
  maxBufferedBytes: number;
  maxConnectionsPerUser: number;
  maxSubscriptionsPerConnection: number;
  maxSubscriptionsPerUser: number;
  commandsPerSecond: number;
  commandBurst: number;
  /** How long an ext session can be restored after its connection dropped, ms. */
  sessionRestoreMs: number;
  /** Long polling: how long a poll is held open, ms. */
  pollWaitMs: number;
  /** Long polling: a session not polled for this long ends, ms. */
  pollSessionTtlMs: number;
  pollMaxQueuedFrames: number;
  /** Who may connect with the session cookie (cross-site WebSocket hijacking guard). */
  origins: OriginPolicy;
  /**
   * Starts every long-poll session id (`<node>.`) in a cluster, so that the balancer can send a
   * session's polls to the node that holds it; '' for one node.
   */
  pollIdPrefix: string;
}

export interface CableServerDeps {
  registry: ConnectionRegistry<Connection>;
  broker: Broker;
  sessions: SessionService;
  tickets: CableTickets;
  /** ext session snapshots (`?sid=`), in memory or in Redis. */
  restore: RestoreStore;
  /** Counts connections per user (the cap holds cluster-wide in cluster mode). */
  presence: PresenceTracker;
  /** A cluster node that loses Redis sends its clients elsewhere until it is back. */
  health: NodeHealth;
  /** Connection attempts and open connections per client address. */
  ipAdmission: IpAdmission;
  /** The client address of an upgrade request (SALON_TRUST_PROXY applies). */
  clientAddress: ClientAddress;
  log: Logger;
  options: CableOptions;
}

export const CABLE_PATH = '/cable';
/** Frames a client may send while its handshake is checked, before the welcome. */
export const MAX_EARLY_FRAMES = 64;

interface PollSession {
  connection: Connection;
  transport: LongPollTransport;
  expiry: NodeJS.Timeout;
}

/**
 * The query of a request for /cable, or undefined when it asks for another path. `/cable` and
 * `/cable?…`, what clients send, are split by hand: a WHATWG URL per upgrade was a visible part of
 * what opening a connection costs. Any other form is left to URL, which normalises it.
 */
export function cableQuery(target: string | undefined): URLSearchParams | undefined {
  const raw = target ?? '/';
  if (raw.startsWith(CABLE_PATH)) {
    if (raw.length === CABLE_PATH.length) return new URLSearchParams();
    if (raw[CABLE_PATH.length] === '?')
      return new URLSearchParams(raw.slice(CABLE_PATH.length + 1));
  }
  const url = new URL(raw, 'http://localhost');
  return url.pathname === CABLE_PATH ? url.searchParams : undefined;
}

/** Slices the ping loop goes through per PING_INTERVAL_SECONDS (one every 200 ms). */
const PING_SLICES = 15;

/**
 * The persistent-connection server: accepts WebSocket upgrades on /cable and long-polling
 * sessions, authenticates them, turns each into a Connection, pings, and closes them all on
 * shutdown with a reconnect hint.
 */
export class CableServer {
  /** Channels by name: the cable's extension point (the chat domain registers its own). */
  readonly channels = new Map<string, ChannelDefinition>();
  readonly #deps: CableServerDeps;
  readonly #opts: CableOptions;
  readonly #log: Logger;
  readonly #wss: WebSocketServer;
  readonly #restore: RestoreStore;
  readonly #polls = new Map<string, PollSession>();
  readonly #pinger: NodeJS.Timeout;
  /**
   * The open connections in PING_SLICES sets, a new one joining each in turn: a tick of the ping
   * loop goes through its own slice, not through every connection.
   */
  readonly #pingSlices: Set<Connection>[] = Array.from({ length: PING_SLICES }, () => new Set());
  #nextPingSlice = 0;
  #pingTick = 0;
  #closing = false;
  /**
   * WebSockets whose handshake is still being checked (credentials, the user's connection cap):
   * not connections yet, so close() would neither tell them to reconnect nor wait for them, and
   * their upgraded sockets would hold the HTTP server's close open.
   */
  readonly #opening = new Set<WebSocketTransport>();
  /** Shared by every connection (one object, not one per connection). */
  readonly #connectionDeps: ConnectionDeps;
  readonly #authDeps: CableAuthDeps;

  constructor(deps: CableServerDeps) {
    this.#deps = deps;
    this.#opts = deps.options;
    this.#log = deps.log;
    this.#restore = deps.restore;
    this.#connectionDeps = {
      registry: deps.registry,
      broker: deps.broker,
      channels: this.channels,
      log: deps.log,
      commandsPerSecond: deps.options.commandsPerSecond,
      commandBurst: deps.options.commandBurst,
      maxProtocolErrors: 20,
      maxSubscriptionsPerConnection: deps.options.maxSubscriptionsPerConnection,
      maxSubscriptionsPerUser: deps.options.maxSubscriptionsPerUser,
    };
    this.#authDeps = {
      sessions: deps.sessions,
      tickets: deps.tickets,
      origins: deps.options.origins,
    };
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // The first offered protocol Salon speaks; never `actioncable-unsupported` or a token.
      handleProtocols: (offered) => {
        for (const p of offered)
          if ((SUPPORTED_PROTOCOLS as readonly string[]).includes(p)) return p;
        return false;
      },
    });
    this.#pinger = setInterval(() => this.#ping(), (PING_INTERVAL_SECONDS * 1000) / PING_SLICES);
    this.#pinger.unref();
    deps.health.onChange((healthy) => {
      if (healthy) return;
      // Broadcasts no longer reach this node: its clients reconnect (through the balancer, to
      // another node) and catch up, rather than wait here missing messages.
      this.#log.warn('node unhealthy: closing every connection with a reconnect hint');
      for (const conn of [...this.#deps.registry.all()]) conn.disconnect('server_restart', true);
    });
  }

  get registry(): ConnectionRegistry<Connection> {
    return this.#deps.registry;
  }

  /** Publishes through the broker to every subscriber of `stream`, on every node. */
  broadcast(stream: string, message: object, options?: { durable?: boolean }): void {
    this.#deps.broker.publish(stream, message, options);
  }

  /** Applies a control command (from any node, through the broker) to this node's connections. */
  applyControl(command: ControlCommand): void {
    switch (command.type) {
      case 'follow':
        for (const conn of this.#deps.registry.connectionsOfUser(command.user_id))
          for (const channel of conn.subscriptions()) channel.follow(command.stream);
        return;
      case 'unfollow':
        for (const conn of this.#deps.registry.connectionsOfUser(command.user_id)) {
          for (const channel of [...conn.subscriptions()]) {
            // A subscription left with nothing to follow ends, and its client hears so.
            if (channel.dropStream(command.stream) && channel.streams.size === 0)
              conn.removeSubscription(channel.identifier, { reject: true });
          }
        }
        return;
      case 'close_session':
        for (const conn of [...this.#deps.registry.connectionsOfSession(command.session_id)])
          conn.disconnect('unauthorized', false);
        return;
    }
  }

  /**
   * Node's 'upgrade' event: takes /cable, refuses the rest. The client's address is charged and
   * counted first (429 with Retry-After past its limits), before any authentication work.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = cableQuery(req.url);
    if (query === undefined || this.#closing || !this.#deps.health.healthy) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // Until ws takes the socket, nobody else listens for its errors (a reset would be uncaught).
    const early = (): void => void socket.destroy();
    socket.on('error', early);
    this.#deps.ipAdmission.admit(this.#deps.clientAddress(req)).then(
      (admitted) => {
        if (!admitted.ok) {
          refuseUpgrade(socket, admitted.error);
          return;
        }
        // The slot is held as long as the TCP socket, whatever becomes of the handshake.
        socket.once('close', admitted.release);
        if (socket.destroyed) {
          admitted.release();
          return;
        }
        socket.off('error', early);
        this.#wss.handleUpgrade(req, socket, head, (ws) =>
          this.#onWebSocket(ws, socket, req, query),
        );
      },
      (err: unknown) => {
        this.#log.warn({ err }, 'connection not admitted: limit store unavailable');
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n',
        );
      },
    );
  }

  #onWebSocket(ws: WebSocket, socket: Duplex, req: IncomingMessage, query: URLSearchParams): void {
    const ext = ws.protocol === PROTOCOL_EXT;
    const sid = ext ? (query.get('sid') ?? req.headers['x-anycable-restore-sid']) : undefined;
    // The request and its query are needed only here: the long-lived handlers are made in #attach,
    // so that their closures do not keep the upgrade request (headers, URL) alive per connection.
    this.#attach(
      ws,
      socket,
      ext,
      typeof sid === 'string' ? sid : undefined,
      authenticateCable(
        query,
        req.headers,
        {
          scheme: requestScheme(req.headers, req.socket, this.#opts.origins),
          host: req.headers.host,
        },
        this.#authDeps,
      ),
    );
  }

  #attach(
    ws: WebSocket,
    socket: Duplex,
    ext: boolean,
    restoreSid: string | undefined,
    authenticated: Promise<CableAuthResult>,
  ): void {
    // Frames that arrive while the handshake is checked wait here (as Rails' MessageBuffer does).
    let early: string[] | undefined = [];
    let connection: Connection | undefined;
    ws.on('error', (err) => this.#log.debug({ err }, 'websocket error'));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // the JSON protocols are text-only; binary frames are dropped
      // ws hands over a Buffer (binaryType 'nodebuffer'); decode it in place, without a copy.
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data).toString('utf8');
      if (connection) {
        connection.receive(text);
      } else if (early) {
        // A client may send its subscribes before the welcome, not a flood: past the bound the
        // connection ends rather than lose frames unseen.
        if (early.length < MAX_EARLY_FRAMES) early.push(text);
        else transport.close(CLOSE_CODES.invalid_request, 'invalid_request');
      }
    });
    let overflowed = false;
    const transport = new WebSocketTransport(ws, socket, {
      maxBufferedBytes: this.#opts.maxBufferedBytes,
      onOverflow: () => {
        overflowed = true;
        if (connection) connection.disconnect('slow_consumer', true);
        else transport.close(1008, 'slow_consumer');
      },
    });
    this.#opening.add(transport);
    transport.onClose(() => this.#opening.delete(transport));
    // A function, not an expression: the socket may close while Redis is asked (TS would narrow).
    // close() refuses what is still opening, so a node stopping is `gone` too.
    const gone = (): boolean => ws.readyState !== ws.OPEN || overflowed;
    void authenticated.then(
      async (result) => {
        if (gone()) return;
        if (!result.ok) {
          this.#refuse(transport, result.reason);
          return;
        }
        const admitted = await this.#admit(result.auth);
        if (admitted !== true) {
          this.#refuse(transport, admitted);
          return;
        }
        if (gone()) {
          this.#deps.presence.release(result.auth.user.id);
          return;
        }
        // From here it is a connection (registered at once): close() deals with it as such.
        this.#opening.delete(transport);
        connection = await this.#open(transport, result.auth, ext, restoreSid);
        const buffered = early ?? [];
        early = undefined;
        for (const text of buffered) connection.receive(text);
      },
      (err: unknown) => {
        this.#log.error({ err }, 'cable authentication failed');
        transport.close(1011, 'internal error');
      },
    );
  }

  /**
   * Counts one more connection of the user, on every node, unless they are at the cap. A node
   * that cannot reach Redis admits no one (the client is sent to try again, elsewhere).
   */
  async #admit(auth: AuthContext): Promise<true | DisconnectReason> {
    if (!this.#deps.health.healthy) return 'server_restart';
    try {
      const ok = await this.#deps.presence.admit(auth.user.id, this.#opts.maxConnectionsPerUser);
      return ok ? true : 'too_many_connections';
    } catch (err) {
      this.#log.warn({ err }, 'connection not admitted: counts unavailable');
      return 'server_restart';
    }
  }

  /**
   * Makes an authenticated transport a live connection: registers it and sends welcome
   * (restoring an ext session when asked).
   */
  async #open(
    transport: Transport,
    auth: AuthContext,
    ext: boolean,
    restoreSid: string | undefined,
  ): Promise<Connection> {
    const connection = new Connection(
      transport,
      { userId: auth.user.id, sessionId: auth.session.id, expiresAt: auth.session.expiresAt },
      ext,
      this.#connectionDeps,
    );
    const slice = this.#pingSlices[this.#nextPingSlice++ % PING_SLICES] ?? new Set();
    slice.add(connection);
    connection.onClosed((conn) => {
      slice.delete(conn);
      this.#deps.presence.release(conn.userId);
    });
    if (!ext) {
      connection.send({ type: 'welcome' });
      return connection;
    }
    const sid = SessionCache.newSid();
    connection.onClosed((conn) => {
      if (!this.#closing) this.#restore.save(sid, conn.userId, conn.confirmedIdentifiers());
    });
    let previous: string[] | undefined;
    try {
      previous = restoreSid ? await this.#restore.take(restoreSid, auth.user.id) : undefined;
    } catch (err) {
      // Not restored: the client subscribes again, as after any unknown sid.
      this.#log.warn({ err }, 'session snapshot unavailable');
    }
    if (previous === undefined) {
      connection.send({ type: 'welcome', sid });
      return connection;
    }
    await connection.restore(previous, (restoredIds) =>
      connection.send({ type: 'welcome', sid, restored: true, restored_ids: restoredIds }),
    );
    return connection;
  }

  /**
   * Refuses a transport before it becomes a connection: `disconnect`, then close. A full user
   * may retry later; bad or expired credentials will not get better by retrying as they are.
   */
  #refuse(transport: Transport, reason: DisconnectReason): void {
    const reconnect = reason === 'too_many_connections' || reason === 'server_restart';
    transport.write(PreparedFrame.of({ type: 'disconnect', reason, reconnect }));
    transport.close(CLOSE_CODES[reason], reason);
  }

  // ------------------------------------------------------------ long polling

  /**
   * Opens a long-polling session from an HTTP request's credentials. Returns its id, or the
   * reason it was refused. `?protocol=actioncable-v1-ext-json` gives it the ext protocol
   * (stream positions, history), as the WebSocket subprotocol would.
   */
  async openPoll(
    url: URL,
    headers: IncomingMessage['headers'],
    self: RequestSelf,
    clientIp: string,
  ): Promise<{ ok: true; pollId: string } | { ok: false; reason: DisconnectReason }> {
    if (this.#closing || !this.#deps.health.healthy) return { ok: false, reason: 'server_restart' };
    // A session holds one of its address's open slots, as a WebSocket does (429 past the caps).
    const admitted = await this.#deps.ipAdmission.admit(clientIp);
    if (!admitted.ok) throw admitted.error;
    try {
      const opened = await this.#openPoll(url, headers, self);
      if (!opened.ok) admitted.release();
      else this.#polls.get(opened.pollId)?.connection.onClosed(admitted.release);
      return opened;
    } catch (err) {
      admitted.release();
      throw err;
    }
  }

  async #openPoll(
    url: URL,
    headers: IncomingMessage['headers'],
    self: RequestSelf,
  ): Promise<{ ok: true; pollId: string } | { ok: false; reason: DisconnectReason }> {
    const result = await authenticateCable(url.searchParams, headers, self, this.#authDeps);
    if (!result.ok) return { ok: false, reason: result.reason };
    const transport = new LongPollTransport({
      maxQueuedFrames: this.#opts.pollMaxQueuedFrames,
      maxQueuedBytes: this.#opts.maxBufferedBytes,
      onOverflow: () => this.#polls.get(pollId)?.connection.disconnect('slow_consumer', true),
    });
    const pollId = this.#opts.pollIdPrefix + SessionCache.newSid();
    const admitted = await this.#admit(result.auth);
    if (admitted !== true) return { ok: false, reason: admitted };
    // Stopping began while this was checked: registered now, it would outlive close().
    if (this.#closing) {
      this.#deps.presence.release(result.auth.user.id);
      return { ok: false, reason: 'server_restart' };
    }
    const ext = url.searchParams.get('protocol') === PROTOCOL_EXT;
    const connection = await this.#open(transport, result.auth, ext, undefined);
    const session: PollSession = { connection, transport, expiry: this.#pollExpiry(pollId) };
    this.#polls.set(pollId, session);
    connection.onClosed(() => {
      // Keep the id a little while so the client's next poll collects the last frames.
      setTimeout(() => this.#polls.delete(pollId), this.#opts.pollWaitMs).unref();
    });
    return { ok: true, pollId };
  }

  /** One poll: delivers the client's commands, then waits for frames after `ack`. */
  async poll(
    pollId: string,
    ack: number,
    commands: readonly string[],
  ): Promise<PollResult | undefined> {
    const session = this.#touchPoll(pollId);
    if (!session) return undefined;
    for (const c of commands) session.connection.receive(c);
    return session.transport.poll(ack, this.#closing ? 0 : this.#opts.pollWaitMs);
  }

  /**
   * Delivers commands without polling (the held poll stays held and carries the answers).
   * Returns false when the session is gone.
   */
  pollSend(pollId: string, commands: readonly string[]): boolean {
    const session = this.#touchPoll(pollId);
    if (!session) return false;
    for (const c of commands) session.connection.receive(c);
    return true;
  }

  #touchPoll(pollId: string): PollSession | undefined {
    const session = this.#polls.get(pollId);
    if (!session) return undefined;
    clearTimeout(session.expiry);
    session.expiry = this.#pollExpiry(pollId);
    return session;
  }

  #pollExpiry(pollId: string): NodeJS.Timeout {
    const t = setTimeout(() => {
      const s = this.#polls.get(pollId);
      if (!s) return;
      this.#polls.delete(pollId);
      s.connection.disconnect('session_expired', true);
    }, this.#opts.pollSessionTtlMs);
    t.unref();
    return t;
  }

  // ------------------------------------------------------------ lifecycle

  /**
   * Pings one slice of the connections, and closes those of it whose session ended meanwhile
   * (expiry). Each connection is in one of PING_SLICES slices, so it is pinged once every
   * PING_INTERVAL_SECONDS as before, but the pings of 10,000 connections no longer all leave in
   * one turn of the event loop (10,000 writes: tens of milliseconds during which messages wait).
   */
  #ping(): void {
    const tick = this.#pingTick++ % PING_SLICES;
    const now = Date.now();
    const frame = PreparedFrame.of({ type: 'ping', message: Math.floor(now / 1000) });
    let expired: Connection[] | undefined;
    for (const conn of this.#pingSlices[tick] ?? []) {
      if (conn.identity.expiresAt <= now) (expired ??= []).push(conn);
      else if (conn.transport.wantsPings) conn.transport.beat(frame);
    }
    for (const conn of expired ?? []) conn.disconnect('unauthorized', false);
  }

  /**
   * Tells every client to reconnect (server_restart) and closes every connection, and every
   * WebSocket whose handshake is still being checked; resolves once each has closed (a
   * WebSocket's close handshake, or its cut-off 2 s later). What a closed
   * connection sets off (presence going offline, its session snapshot) must start before the
   * rest of the node stops: a close still pending when presence closes is never announced.
   */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#pinger);
    const open = [...this.#deps.registry.all()];
    const closed = open.map(
      (conn) => new Promise<void>((resolve) => conn.onClosed(() => resolve())),
    );
    for (const conn of open) conn.disconnect('server_restart', true);
    const opening = [...this.#opening];
    closed.push(
      ...opening.map((transport) => new Promise<void>((resolve) => transport.onClose(resolve))),
    );
    for (const transport of opening) this.#refuse(transport, 'server_restart');
    for (const s of this.#polls.values()) clearTimeout(s.expiry);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await Promise.all(closed);
  }
}

/** Answers an upgrade request with an error (429 RATE_LIMITED and its Retry-After), then closes. */
function refuseUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify(error.toBody());
  const retry =
    error.retryAfterSeconds === undefined
      ? ''
      : `Retry-After: ${String(error.retryAfterSeconds)}\r\n`;
  socket.end(
    `HTTP/1.1 ${String(error.statusCode)} Too Many Requests\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\n${retry}` +
      `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`,
  );
}
