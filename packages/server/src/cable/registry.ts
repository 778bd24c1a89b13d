import type { DisconnectReason } from '@salon/protocol';
import type { StreamPosition } from '../broker/broker.js';
import { framePositionKey, PreparedFrame } from './prepared-frame.js';
import type { Transport } from './transport.js';

/** The registry's view of a connection. */
export interface RegisteredConnection {
  readonly id: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly ext: boolean;
  readonly transport: Transport;
  disconnect(reason: DisconnectReason, reconnect: boolean): void;
}

/**
 * Subscribers of one stream that share an identifier string and protocol: one frame is built per
 * group and the same bytes go to every member. Clients spell identifiers differently (Rails keeps
 * key order, AnyCable sorts keys), so a stream has one or two groups in practice.
 */
interface Group {
  readonly identifier: string;
  /** JSON.stringify(identifier), computed once per group rather than per broadcast. */
  readonly identifierJson: string;
  readonly ext: boolean;
  readonly members: Set<RegisteredConnection>;
}

/**
 * Who is connected and who listens to what: each user's live connections, each session's, and
 * each stream's subscribers. Connections leave every map when they close.
 */
export class ConnectionRegistry<C extends RegisteredConnection = RegisteredConnection> {
  readonly #presenceListeners: ((userId: string, online: boolean) => void)[] = [];
  readonly #byUser = new Map<string, Set<C>>();
  readonly #bySession = new Map<string, Set<C>>();
  readonly #streams = new Map<string, Map<string, Group>>();
  /** Per connection: stream → group keys it is in, so removal touches only its own groups. */
  readonly #memberships = new Map<C, Map<string, Set<string>>>();

  /** Called when a user's first connection opens (online) and their last one closes (offline). */
  onPresence(listener: (userId: string, online: boolean) => void): void {
    this.#presenceListeners.push(listener);
  }

  add(conn: C): void {
    const wasOnline = this.#byUser.has(conn.userId);
    addTo(this.#byUser, conn.userId, conn);
    if (!wasOnline) for (const l of this.#presenceListeners) l(conn.userId, true);
    addTo(this.#bySession, conn.sessionId, conn);
    this.#memberships.set(conn, new Map());
  }

  remove(conn: C): void {
    if (!this.#memberships.has(conn)) return;
    removeFrom(this.#byUser, conn.userId, conn);
    removeFrom(this.#bySession, conn.sessionId, conn);
    const streams = this.#memberships.get(conn);
    if (streams) {
      for (const [stream, keys] of streams) {
        for (const key of keys) this.#leaveGroup(stream, key, conn);
      }
    }
    this.#memberships.delete(conn);
    if (!this.#byUser.has(conn.userId))
      for (const l of this.#presenceListeners) l(conn.userId, false);
  }

  /**
   * Adds `conn` to the subscribers of `stream` under `identifier`. `positions`: whether its
   * frames carry stream positions (ext connections only; a channel may decline them).
   */
  subscribe(conn: C, identifier: string, stream: string, positions = true): void {
    const streams = this.#memberships.get(conn);
    if (!streams) return; // closed meanwhile
    const ext = conn.ext && positions;
    const key = groupKey(ext, identifier);
    let groups = this.#streams.get(stream);
    if (!groups) {
      groups = new Map();
      this.#streams.set(stream, groups);
    }
    let group = groups.get(key);
    if (!group) {
      group = {
        identifier,
        identifierJson: JSON.stringify(identifier),
        ext,
        members: new Set(),
      };
      groups.set(key, group);
    }
    group.members.add(conn);
    let keys = streams.get(stream);
    if (!keys) {
      keys = new Set();
      streams.set(stream, keys);
    }
    keys.add(key);
  }

  unsubscribe(conn: C, identifier: string, stream: string, positions = true): void {
    const key = groupKey(conn.ext && positions, identifier);
    const keys = this.#memberships.get(conn)?.get(stream);
    if (!keys?.delete(key)) return;
    if (keys.size === 0) this.#memberships.get(conn)?.delete(stream);
    this.#leaveGroup(stream, key, conn);
  }

  /**
   * Writes `message` to every subscriber of `stream` on this node. The message is serialized once;
   * each (identifier, protocol) group gets one frame; each member gets the same bytes.
   */
  deliver(stream: string, message: object, position: StreamPosition | undefined): void {
    const groups = this.#streams.get(stream);
    if (!groups) return;
    const json = JSON.stringify(message);
    const positionJson = position
      ? `,"stream_id":${JSON.stringify(position.stream)},"epoch":${JSON.stringify(position.epoch)},"offset":${String(position.offset)}`
      : '';
    for (const group of groups.values()) {
      const frame = new PreparedFrame(
        `{"identifier":${group.identifierJson},"message":${json}${group.ext ? positionJson : ''}}`,
        group.ext && position
          ? {
              key: framePositionKey(group.identifierJson, position.stream, position.epoch),
              offset: position.offset,
            }
          : undefined,
      );
      for (const member of group.members) member.transport.write(frame);
    }
  }

  connectionsOfUser(userId: string): ReadonlySet<C> {
    return this.#byUser.get(userId) ?? new Set<C>();
  }

  connectionsOfSession(sessionId: string): ReadonlySet<C> {
    return this.#bySession.get(sessionId) ?? new Set<C>();
  }

  all(): IterableIterator<C> {
    return this.#memberships.keys();
  }

  /** Counts, for tests and metrics: a closed connection must leave no trace here. */
  stats(): { connections: number; users: number; sessions: number; streams: number } {
    return {
      connections: this.#memberships.size,
      users: this.#byUser.size,
      sessions: this.#bySession.size,
      streams: this.#streams.size,
    };
  }

  subscriberCount(stream: string): number {
    let n = 0;
    for (const g of this.#streams.get(stream)?.values() ?? []) n += g.members.size;
    return n;
  }

  #leaveGroup(stream: string, key: string, conn: C): void {
    const groups = this.#streams.get(stream);
    const group = groups?.get(key);
    if (!groups || !group) return;
    group.members.delete(conn);
    if (group.members.size === 0) groups.delete(key);
    if (groups.size === 0) this.#streams.delete(stream);
  }
}

function groupKey(ext: boolean, identifier: string): string {
  return (ext ? 'e' : 'v') + identifier;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
