import type { DisconnectReason } from '@salon/protocol';
import type { StreamPosition } from '../broker/broker.js';
import { PreparedFrame } from './prepared-frame.js';
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
export class ConnectionRegistry {
  readonly #byUser = new Map<string, Set<RegisteredConnection>>();
  readonly #bySession = new Map<string, Set<RegisteredConnection>>();
  readonly #streams = new Map<string, Map<string, Group>>();
  /** Per connection: stream → group keys it is in, so removal touches only its own groups. */
  readonly #memberships = new Map<RegisteredConnection, Map<string, Set<string>>>();

  add(conn: RegisteredConnection): void {
    addTo(this.#byUser, conn.userId, conn);
    addTo(this.#bySession, conn.sessionId, conn);
    this.#memberships.set(conn, new Map());
  }

  remove(conn: RegisteredConnection): void {
    removeFrom(this.#byUser, conn.userId, conn);
    removeFrom(this.#bySession, conn.sessionId, conn);
    const streams = this.#memberships.get(conn);
    if (streams) {
      for (const [stream, keys] of streams) {
        for (const key of keys) this.#leaveGroup(stream, key, conn);
      }
    }
    this.#memberships.delete(conn);
  }

  subscribe(conn: RegisteredConnection, identifier: string, stream: string): void {
    const streams = this.#memberships.get(conn);
    if (!streams) return; // closed meanwhile
    const key = groupKey(conn.ext, identifier);
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
        ext: conn.ext,
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

  unsubscribe(conn: RegisteredConnection, identifier: string, stream: string): void {
    const key = groupKey(conn.ext, identifier);
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
      );
      for (const member of group.members) member.transport.write(frame);
    }
  }

  connectionsOfUser(userId: string): ReadonlySet<RegisteredConnection> {
    return this.#byUser.get(userId) ?? EMPTY;
  }

  connectionsOfSession(sessionId: string): ReadonlySet<RegisteredConnection> {
    return this.#bySession.get(sessionId) ?? EMPTY;
  }

  all(): IterableIterator<RegisteredConnection> {
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

  #leaveGroup(stream: string, key: string, conn: RegisteredConnection): void {
    const groups = this.#streams.get(stream);
    const group = groups?.get(key);
    if (!groups || !group) return;
    group.members.delete(conn);
    if (group.members.size === 0) groups.delete(key);
    if (groups.size === 0) this.#streams.delete(stream);
  }
}

const EMPTY: ReadonlySet<RegisteredConnection> = new Set();

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
