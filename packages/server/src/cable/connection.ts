import { randomUUID } from 'node:crypto';
import {
  CLOSE_CODES,
  ChannelIdentifier,
  ClientCommand,
  canonicalIdentifier,
  PerformData,
  type ChannelErrorPayload,
  type DisconnectReason,
  type HistoryRequest,
  type ServerFrame,
} from '@salon/protocol';
import type { Logger } from 'pino';
import type { Broker, HistoryEntry } from '../broker/broker.js';
import { AppError } from '../errors.js';
import type { CableIdentity, Channel, ChannelDefinition, SubscriptionHost } from './channel.js';
import { framePositionKey, PreparedFrame } from './prepared-frame.js';
import type { ConnectionRegistry, RegisteredConnection } from './registry.js';
import { HoldingTransport } from './holding-transport.js';
import { parseFrameJson } from './parse-frame-json.js';
import { TokenBucket } from './token-bucket.js';
import type { Transport } from './transport.js';

export interface ConnectionDeps {
  registry: ConnectionRegistry<Connection>;
  broker: Broker;
  channels: ReadonlyMap<string, ChannelDefinition>;
  log: Logger;
  /** Subscriptions one connection may hold (pending ones count). */
  maxSubscriptionsPerConnection: number;
  /** Subscriptions one user may hold across all of their connections on this node. */
  maxSubscriptionsPerUser: number;
  commandsPerSecond: number;
  commandBurst: number;
  /** Malformed frames tolerated before the connection is closed as invalid_request. */
  maxProtocolErrors: number;
}

/** The start of every connection's command chain (one shared promise, not one each). */
const RESOLVED: Promise<void> = Promise.resolve();

interface Subscription {
  channel: Channel;
  confirmed: boolean;
}

/**
 * One authenticated client connection, whatever its transport. Commands run strictly in order;
 * the identity comes from the handshake, never from a payload. Identifiers are kept and echoed
 * exactly as the client sent them.
 */
export class Connection implements RegisteredConnection, SubscriptionHost {
  readonly id = randomUUID();
  readonly identity: CableIdentity;
  readonly ext: boolean;
  readonly transport: HoldingTransport;
  readonly #deps: ConnectionDeps;
  #logger: Logger | undefined;
  readonly #subs = new Map<string, Subscription>();
  readonly #bucket: TokenBucket;
  #queue: Promise<void> = RESOLVED;
  #protocolErrors = 0;
  #closed = false;
  readonly #closeListeners: ((conn: Connection) => void)[] = [];

  constructor(transport: Transport, identity: CableIdentity, ext: boolean, deps: ConnectionDeps) {
    this.transport = new HoldingTransport(transport);
    this.identity = identity;
    this.ext = ext;
    this.#deps = deps;
    this.#bucket = new TokenBucket(deps.commandsPerSecond, deps.commandBurst);
    deps.registry.add(this);
    transport.onClose(() => this.#cleanup());
  }

  /** Made on first use: most connections never log, and a child logger per connection costs memory. */
  get #log(): Logger {
    this.#logger ??= this.#deps.log.child({
      conn: this.id,
      user: this.identity.userId,
      transport: this.transport.kind,
    });
    return this.#logger;
  }

  get userId(): string {
    return this.identity.userId;
  }

  get sessionId(): string {
    return this.identity.sessionId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Subscriptions held, pending ones included (the caps count them). */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  /** Identifiers of confirmed subscriptions, for session restore. */
  confirmedIdentifiers(): string[] {
    return [...this.#subs].filter(([, s]) => s.confirmed).map(([id]) => id);
  }

  onClosed(listener: (conn: Connection) => void): void {
    this.#closeListeners.push(listener);
  }

  send(frame: ServerFrame): void {
    this.transport.write(PreparedFrame.of(frame));
  }

  /** Sends a disconnect frame with its reason and reconnect hint, then closes. */
  disconnect(reason: DisconnectReason, reconnect: boolean): void {
    if (this.#closed) return;
    this.#log.info({ reason, reconnect }, 'disconnecting');
    this.send({ type: 'disconnect', reason, reconnect });
    this.transport.close(CLOSE_CODES[reason], reason);
  }

  /** Takes one raw frame from the transport. Never throws. */
  receive(raw: string): void {
    if (this.#closed) return;
    if (!this.#bucket.take()) {
      this.disconnect('rate_limited', true);
      return;
    }
    let json: unknown;
    try {
      json = parseFrameJson(raw);
    } catch {
      this.#protocolError('frame is not JSON');
      return;
    }
    const parsed = ClientCommand.safeParse(json);
    if (!parsed.success) {
      // A subscribe the server cannot take (an oversized identifier) still gets its answer, in
      // order with the commands before it, so a client is not left waiting.
      const identifier = subscribeIdentifier(json);
      if (identifier !== undefined)
        this.#queue = this.#queue.then(() =>
          this.send({ type: 'reject_subscription', identifier }),
        );
      this.#protocolError('unknown or malformed command');
      return;
    }
    const command = parsed.data;
    this.#queue = this.#queue
      .then(() => this.#handle(command))
      .catch((err: unknown) =>
        this.#log.error({ err, command: command.command }, 'command failed'),
      );
  }

  /**
   * Re-creates subscriptions of a restored session without confirm frames, calls `welcome` with
   * the ones that stood, and only then attaches their streams: nothing may reach the client
   * before its welcome. What is broadcast meanwhile, the client gets through `history`.
   */
  async restore(
    identifiers: readonly string[],
    welcome: (restoredIds: string[]) => void,
  ): Promise<void> {
    const restored: string[] = [];
    for (const identifier of identifiers) {
      if (await this.#subscribe(identifier, { silent: true })) restored.push(identifier);
    }
    welcome(restored);
    for (const identifier of restored) {
      const sub = this.#subs.get(identifier);
      if (!sub?.confirmed) continue;
      this.#attach(sub.channel);
    }
  }

  /** Ends one subscription at the client's request, or the server's (then `reject` tells it). */
  removeSubscription(identifier: string, opts: { reject?: boolean } = {}): void {
    const sub = this.#subs.get(identifier);
    if (!sub) return;
    this.#subs.delete(identifier);
    this.#detach(sub.channel);
    sub.channel.unsubscribed();
    if (opts.reject) this.send({ type: 'reject_subscription', identifier });
  }

  subscriptions(): IterableIterator<Channel> {
    return [...this.#subs.values()].map((s) => s.channel)[Symbol.iterator]();
  }

  // ------------------------------------------------------------ SubscriptionHost (for channels)

  streamFrom(identifier: string, stream: string): void {
    // Before confirmation the stream is only recorded; it is attached when confirm goes out.
    const sub = this.#subs.get(identifier);
    if (sub?.confirmed)
      this.#deps.registry.subscribe(this, identifier, stream, sub.channel.streamPositions);
  }

  stopStreamFrom(identifier: string, stream: string): void {
    const sub = this.#subs.get(identifier);
    if (sub) this.#deps.registry.unsubscribe(this, identifier, stream, sub.channel.streamPositions);
  }

  transmit(identifier: string, message: object): void {
    this.transport.write(
      new PreparedFrame(
        `{"identifier":${JSON.stringify(identifier)},"message":${JSON.stringify(message)}}`,
      ),
    );
  }

  // ------------------------------------------------------------ commands

  async #handle(command: ClientCommand): Promise<void> {
    if (this.#closed) return;
    switch (command.command) {
      case 'subscribe':
        if (
          (await this.#subscribe(command.identifier, { silent: false })) &&
          command.history &&
          this.ext
        ) {
          await this.#history(command.identifier, command.history);
        }
        return;
      case 'unsubscribe':
        this.removeSubscription(command.identifier);
        return;
      case 'message':
        await this.#perform(command.identifier, command.data);
        return;
      case 'history':
        if (this.ext) await this.#history(command.identifier, command.history);
        return;
      case 'presence':
        // The AnyCable client waits for an answer forever; Salon's presence lives in its chat events.
        if (this.ext) {
          this.send({
            type: 'presence',
            identifier: command.identifier,
            message: { type: 'info', total: 0, records: [] },
          });
        }
        return;
      case 'pong':
      case 'whisper':
      case 'join':
      case 'leave':
        return;
    }
  }

  /** Returns whether the subscription stands (new or already there). */
  async #subscribe(identifier: string, opts: { silent: boolean }): Promise<boolean> {
    const existing = this.#subs.get(identifier);
    if (existing) return false; // pending or confirmed: no second answer
    const channel = this.#channelFor(identifier);
    if (typeof channel === 'string') {
      this.#reject(identifier, opts, channel);
      return false;
    }
    const sub: Subscription = { channel, confirmed: false };
    this.#subs.set(identifier, sub);
    try {
      await channel.subscribed();
    } catch (err) {
      this.#log.warn({ err, identifier }, 'subscribed() failed');
      this.#subs.delete(identifier);
      this.#reject(identifier, opts, 'subscribed() threw');
      return false;
    }
    if (this.#closed || this.#subs.get(identifier) !== sub) return false;
    if (channel.rejected) {
      this.#subs.delete(identifier);
      this.#reject(identifier, opts, 'rejected by channel');
      return false;
    }
    sub.confirmed = true;
    channel.markConfirmed();
    if (opts.silent) return true; // restore: streams are attached after the welcome
    this.send({ type: 'confirm_subscription', identifier });
    this.#attach(channel);
    return true;
  }

  /**
   * The channel for `identifier`, or why there is none. The identifier must be the canonical
   * spelling of params the channel accepts exactly, and the caps must allow one more: without
   * them one account could hold thousands of distinct subscriptions to the same stream and turn
   * each broadcast into thousands of frames.
   */
  #channelFor(identifier: string): Channel | string {
    let params: ChannelIdentifier;
    try {
      params = ChannelIdentifier.parse(parseFrameJson(identifier));
    } catch {
      return 'identifier is not a JSON object with a channel';
    }
    if (canonicalIdentifier(params) !== identifier) return 'identifier is not canonical';
    const definition = this.#deps.channels.get(params.channel);
    if (!definition) return `unknown channel ${params.channel}`;
    if (this.#subs.size >= this.#deps.maxSubscriptionsPerConnection)
      return 'too many subscriptions on this connection';
    let held = 0;
    for (const conn of this.#deps.registry.connectionsOfUser(this.userId))
      held += conn.subscriptionCount;
    if (held >= this.#deps.maxSubscriptionsPerUser) return 'too many subscriptions for this user';
    return definition.create(this, identifier, params) ?? 'params not accepted by the channel';
  }

  #reject(identifier: string, opts: { silent: boolean }, why: string): void {
    this.#log.debug({ identifier, why }, 'subscription rejected');
    if (!opts.silent) this.send({ type: 'reject_subscription', identifier });
  }

  #attach(channel: Channel): void {
    for (const stream of channel.streams)
      this.#deps.registry.subscribe(this, channel.identifier, stream, channel.streamPositions);
  }

  #detach(channel: Channel): void {
    for (const stream of channel.streams)
      this.#deps.registry.unsubscribe(this, channel.identifier, stream, channel.streamPositions);
  }

  async #perform(identifier: string, rawData: string): Promise<void> {
    const sub = this.#subs.get(identifier);
    if (!sub?.confirmed) {
      this.#sendError(identifier, {
        code: 'NOT_SUBSCRIBED',
        message: 'Subscribe to this channel before performing actions on it.',
      });
      return;
    }
    let data: Record<string, unknown>;
    try {
      data = PerformData.parse(parseFrameJson(rawData));
    } catch {
      this.#sendError(identifier, {
        code: 'INVALID_ACTION_DATA',
        message: 'data must be a JSON object string naming an action.',
      });
      return;
    }
    const { action, ...args } = data;
    const actions = sub.channel.actions;
    if (typeof action !== 'string' || !Object.hasOwn(actions, action)) {
      this.#sendError(identifier, {
        code: 'UNKNOWN_ACTION',
        message: `This channel has no action ${JSON.stringify(action ?? null)}.`,
        ...(typeof action === 'string' ? { action } : {}),
      });
      return;
    }
    try {
      await actions[action]?.(args, sub.channel);
    } catch (err) {
      const clientId = typeof args.client_id === 'string' ? { client_id: args.client_id } : {};
      if (err instanceof AppError) {
        this.#sendError(identifier, {
          code: err.code,
          message: err.message,
          action,
          ...clientId,
          // Seconds to wait, as HTTP's Retry-After (RATE_LIMITED).
          ...(err.retryAfterSeconds === undefined ? {} : { retry_after: err.retryAfterSeconds }),
        });
      } else {
        this.#log.error({ err, action }, 'action failed');
        this.#sendError(identifier, {
          code: 'INTERNAL',
          message: 'The action failed on the server.',
          action,
          ...clientId,
        });
      }
    }
  }

  #sendError(identifier: string, error: Omit<ChannelErrorPayload, 'type'>): void {
    const payload: ChannelErrorPayload = { type: 'error', ...error };
    this.transmit(identifier, payload);
  }

  /**
   * ext `history`: backlog frames with positions, then confirm_history; or reject_history alone.
   * Live broadcasts that arrive while the history is read wait behind it.
   */
  async #history(identifier: string, request: HistoryRequest): Promise<void> {
    const sub = this.#subs.get(identifier);
    if (!sub?.confirmed || !sub.channel.streamPositions) {
      this.send({ type: 'reject_history', identifier });
      return;
    }
    this.transport.hold();
    try {
      const backlog = await this.#readHistory(sub.channel.streams, request);
      if (!backlog) {
        this.transport.writeThrough(PreparedFrame.of({ type: 'reject_history', identifier }));
        return;
      }
      const id = JSON.stringify(identifier);
      for (const { message, position } of backlog) {
        this.transport.writeThrough(
          new PreparedFrame(
            `{"identifier":${id},"message":${JSON.stringify(message)},"stream_id":${JSON.stringify(position.stream)},"epoch":${JSON.stringify(position.epoch)},"offset":${String(position.offset)}}`,
            {
              key: framePositionKey(id, position.stream, position.epoch),
              offset: position.offset,
            },
          ),
        );
      }
      this.transport.writeThrough(PreparedFrame.of({ type: 'confirm_history', identifier }));
    } finally {
      this.transport.release();
    }
  }

  /** The backlog of every stream asked for, or undefined when one cannot be served. */
  async #readHistory(
    streams: Iterable<string>,
    request: HistoryRequest,
  ): Promise<HistoryEntry[] | undefined> {
    const backlog: HistoryEntry[] = [];
    for (const stream of streams) {
      const position = request.streams?.[stream];
      const query = position
        ? { epoch: position.epoch, offset: position.offset }
        : request.since !== undefined && request.since > 0
          ? { sinceMs: request.since * 1000 }
          : undefined;
      if (!query) continue;
      let result;
      try {
        result = await this.#deps.broker.history(stream, query);
      } catch (err) {
        // History unreachable (Redis away): the client catches up from the REST history.
        this.#log.warn({ err, stream }, 'history unavailable');
        return undefined;
      }
      if (!result.ok) return undefined;
      backlog.push(...result.entries);
    }
    return backlog;
  }

  #protocolError(why: string): void {
    this.#protocolErrors++;
    this.#log.debug({ why }, 'bad frame ignored');
    if (this.#protocolErrors > this.#deps.maxProtocolErrors)
      this.disconnect('invalid_request', false);
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sub of this.#subs.values()) {
      try {
        sub.channel.unsubscribed();
      } catch (err) {
        this.#log.error({ err }, 'unsubscribed() failed');
      }
    }
    this.#deps.registry.remove(this);
    for (const l of this.#closeListeners.splice(0)) l(this);
    this.#subs.clear();
  }
}

/** The identifier of something shaped like a subscribe command, if it is one. */
function subscribeIdentifier(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  return o.command === 'subscribe' && typeof o.identifier === 'string' ? o.identifier : undefined;
}
