import type { Logger } from 'pino';
import type { PresenceTracker } from './seams.js';
import type { RedisLink } from './redis-link.js';
import { RedisScript } from './redis-script.js';

export interface RedisPresenceOptions {
  prefix: string;
  nodeName: string;
  /** A node whose heartbeat is older than this is dead, ms. */
  nodeTimeoutMs: number;
  log: Logger;
}

// Every node keeps a hash of its connections per user (`conns:<node>`) and a heartbeat in the
// `nodes` sorted set (score: Redis' clock, so nodes' clocks need not agree). A user's
// connections are the sum over the nodes that are alive. The scripts build the per-node key
// names from the prefix, so they suit one Redis server, not Redis Cluster.

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const SUM = `local function total(prefix, user, now, timeout)
  local sum = 0
  for _, n in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'nodes', now - timeout, '+inf')) do
    local c = redis.call('HGET', prefix .. 'conns:' .. n, user)
    if c then sum = sum + tonumber(c) end
  end
  return sum
end`;

/** ARGV: prefix, node, user, cap, timeout. 1 and counted when under the cap, else 0. */
const ADMIT = new RedisScript(`${NOW_MS}
${SUM}
if total(ARGV[1], ARGV[3], now, tonumber(ARGV[5])) >= tonumber(ARGV[4]) then return 0 end
redis.call('HINCRBY', ARGV[1] .. 'conns:' .. ARGV[2], ARGV[3], 1)
return 1`);

/** ARGV: prefix, node, user. */
const RELEASE = new RedisScript(`local key = ARGV[1] .. 'conns:' .. ARGV[2]
if redis.call('HINCRBY', key, ARGV[3], -1) <= 0 then redis.call('HDEL', key, ARGV[3]) end
return 1`);

/** ARGV: prefix, user, timeout. */
const CONNECTED = new RedisScript(`${NOW_MS}
${SUM}
return total(ARGV[1], ARGV[2], now, tonumber(ARGV[3]))`);

/**
 * ARGV: prefix, node, timeout. Beats this node's heart, then takes every dead node out (ZREM:
 * only the node whose ZREM removed it sweeps it) and returns their users. The first element is
 * 1 when this node was missing from the set (it had been swept itself, or Redis lost its data).
 */
const HEARTBEAT = new RedisScript(`${NOW_MS}
local added = redis.call('ZADD', ARGV[1] .. 'nodes', now, ARGV[2])
local out = { added }
for _, n in ipairs(redis.call('ZRANGEBYSCORE', ARGV[1] .. 'nodes', '-inf', now - tonumber(ARGV[3]))) do
  if n ~= ARGV[2] and redis.call('ZREM', ARGV[1] .. 'nodes', n) == 1 then
    local key = ARGV[1] .. 'conns:' .. n
    for _, u in ipairs(redis.call('HKEYS', key)) do out[#out + 1] = u end
    redis.call('DEL', key)
  end
end
return out`);

/**
 * Presence across the cluster. Announced state lives in the `online` set (SADD/SREM say who
 * changed it, so one change is announced once); each node mirrors it in memory from the
 * `presence` channel for the synchronous snapshot reads.
 */
export class RedisPresence implements PresenceTracker {
  readonly #link: RedisLink;
  readonly #opts: RedisPresenceOptions;
  readonly #channel: string;
  /** This node's connections per user, as counted in Redis (rewritten there after a loss). */
  readonly #local = new Map<string, number>();
  readonly #mirror = new Set<string>();
  readonly #lostListeners: ((userIds: string[]) => void)[] = [];
  readonly #onMessage: (channel: string, payload: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #beating = false;

  constructor(link: RedisLink, opts: RedisPresenceOptions) {
    this.#link = link;
    this.#opts = opts;
    this.#channel = `${opts.prefix}presence`;
    this.#onMessage = (channel, payload) => {
      if (channel !== this.#channel) return;
      const online = payload.startsWith('1');
      const userId = payload.slice(1);
      if (online) this.#mirror.add(userId);
      else this.#mirror.delete(userId);
    };
  }

  get #key(): string {
    return `${this.#opts.prefix}conns:${this.#opts.nodeName}`;
  }

  async start(): Promise<void> {
    this.#link.subscriber.on('message', this.#onMessage);
    await this.#link.subscriber.subscribe(this.#channel);
    await this.#resync();
    // Beats several times per timeout, so one slow beat does not make a live node look dead.
    const every = Math.min(1000, this.#opts.nodeTimeoutMs / 4);
    this.#timer = setInterval(() => void this.#beat(), every);
    this.#timer.unref();
    // After Redis returns (restarted, perhaps empty), this node's counts and mirror are rewritten.
    this.#link.onHealth((healthy) => {
      if (healthy) this.#resync().catch((err: unknown) => this.#fail(err));
    });
  }

  async admit(userId: string, cap: number): Promise<boolean> {
    const ok = await ADMIT.run(
      this.#link.command,
      [],
      [this.#opts.prefix, this.#opts.nodeName, userId, cap, this.#opts.nodeTimeoutMs],
    );
    if (ok !== 1) return false;
    this.#local.set(userId, (this.#local.get(userId) ?? 0) + 1);
    return true;
  }

  release(userId: string): void {
    const n = (this.#local.get(userId) ?? 0) - 1;
    if (n > 0) this.#local.set(userId, n);
    else this.#local.delete(userId);
    RELEASE.run(this.#link.command, [], [this.#opts.prefix, this.#opts.nodeName, userId]).catch(
      // Rewritten from #local when Redis returns.
      (err: unknown) => this.#fail(err),
    );
  }

  async connected(userId: string): Promise<boolean> {
    const n = await CONNECTED.run(
      this.#link.command,
      [],
      [this.#opts.prefix, userId, this.#opts.nodeTimeoutMs],
    );
    return Number(n) > 0;
  }

  async announce(userId: string, online: boolean): Promise<boolean> {
    const key = `${this.#opts.prefix}online`;
    const changed = online
      ? await this.#link.command.sadd(key, userId)
      : await this.#link.command.srem(key, userId);
    if (changed !== 1) return false;
    if (online) this.#mirror.add(userId);
    else this.#mirror.delete(userId);
    await this.#link.command.publish(this.#channel, `${online ? '1' : '0'}${userId}`);
    return true;
  }

  isAnnouncedOnline(userId: string): boolean {
    return this.#mirror.has(userId);
  }

  onLost(listener: (userIds: string[]) => void): void {
    this.#lostListeners.push(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#link.subscriber.off('message', this.#onMessage);
    if (!this.#link.healthy) return;
    // A clean stop: this node's people are rechecked by the others at once, not after the timeout.
    const users = await this.#link.command.hkeys(this.#key);
    await this.#link.command
      .multi()
      .zrem(`${this.#opts.prefix}nodes`, this.#opts.nodeName)
      .del(this.#key)
      .exec();
    if (users.length > 0) this.#emitLost(users);
  }

  async #beat(): Promise<void> {
    if (this.#beating || !this.#link.healthy) return;
    this.#beating = true;
    try {
      const out = (await HEARTBEAT.run(
        this.#link.command,
        [],
        [this.#opts.prefix, this.#opts.nodeName, this.#opts.nodeTimeoutMs],
      )) as (number | string)[];
      const [added, ...lost] = out;
      if (lost.length > 0) this.#emitLost(lost.map(String));
      // Swept by another node while this one was silent (a long pause): count again.
      if (added === 1) await this.#resync();
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#beating = false;
    }
  }

  /** Rewrites this node's counts and heartbeat, and reloads the mirror of announced state. */
  async #resync(): Promise<void> {
    const redis = this.#link.command;
    const before = await redis.hkeys(this.#key);
    const tx = redis.multi().del(this.#key);
    for (const [userId, n] of this.#local) tx.hset(this.#key, userId, n);
    tx.smembers(`${this.#opts.prefix}online`);
    const results = (await tx.exec()) ?? [];
    await HEARTBEAT.run(
      redis,
      [],
      [this.#opts.prefix, this.#opts.nodeName, this.#opts.nodeTimeoutMs],
    );
    const members = (results[results.length - 1]?.[1] as string[] | undefined) ?? [];
    this.#mirror.clear();
    for (const m of members) this.#mirror.add(m);
    // Those counted before but not now closed while Redis was away: presence rechecks them.
    const gone = before.filter((u) => !this.#local.has(u));
    if (gone.length > 0) this.#emitLost(gone);
  }

  #emitLost(userIds: string[]): void {
    for (const l of this.#lostListeners) l(userIds);
  }

  #fail(err: unknown): void {
    this.#opts.log.warn({ err }, 'presence: redis command failed');
  }
}
