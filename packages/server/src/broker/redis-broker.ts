import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RedisLink } from '../cluster/redis-link.js';
import { RedisScript } from '../cluster/redis-script.js';
import type {
  Broker,
  ControlCommand,
  HistoryEntry,
  HistoryQuery,
  HistoryResult,
  LocalNode,
} from './broker.js';

export interface RedisBrokerOptions {
  /** Key and channel prefix (SALON_REDIS_KEY_PREFIX). */
  prefix: string;
  /** Durable broadcasts kept per stream for `history`. */
  historyLimit: number;
  /** How long a durable broadcast is kept, in ms. */
  historyTtlMs: number;
  log: Logger;
}

/**
 * A durable publish, atomically: the cluster's epoch is made once (SET NX: a node's restart never
 * changes it), the stream's next offset is taken (INCR: never reused within the epoch), the entry
 * joins the stream's capped history, and the broadcast goes out on the one bus channel. Redis runs
 * a script alone, so every node sees a stream's broadcasts in the order their offsets say.
 * The frames are assembled here by concatenation: the message is already JSON.
 */
const PUBLISH_DURABLE = new RedisScript(`
redis.call('SET', KEYS[1], ARGV[2], 'NX')
local epoch = redis.call('GET', KEYS[1])
local offset = redis.call('INCR', KEYS[2])
local limit = tonumber(ARGV[5])
if limit > 0 then
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('RPUSH', KEYS[3], '{"o":' .. offset .. ',"t":' .. string.format('%d', ms) .. ',"m":' .. ARGV[4] .. '}')
  redis.call('LTRIM', KEYS[3], -limit, -1)
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
redis.call('PUBLISH', ARGV[1], '{"k":"b","s":' .. ARGV[3] .. ',"e":"' .. epoch .. '","o":' .. offset .. ',"m":' .. ARGV[4] .. '}')
return offset
`);

/** What travels on the bus, checked on arrival like any frame from outside the process. */
const BusMessage = z.union([
  z.object({
    k: z.literal('b'),
    s: z.string(),
    m: z.looseObject({}),
    e: z.string().optional(),
    o: z.number().int().positive().optional(),
  }),
  z.object({
    k: z.literal('c'),
    c: z.discriminatedUnion('type', [
      z.object({ type: z.literal('follow'), user_id: z.string(), stream: z.string() }),
      z.object({ type: z.literal('unfollow'), user_id: z.string(), stream: z.string() }),
      z.object({ type: z.literal('close_session'), session_id: z.string() }),
    ]),
  }),
]);

const StoredEntry = z.object({ o: z.number().int(), t: z.number(), m: z.looseObject({}) });

/**
 * The cluster broker: every broadcast and control command goes through one Redis pub/sub channel
 * (per-stream order is publish order; see packages/bench/results/redis-bus-2026-11-30.md for why
 * pub/sub), and each node hands what it hears to its own subscribers. Durable broadcasts get
 * their position and history in Redis, so positions and epochs are the same on every node.
 */
export class RedisBroker implements Broker {
  readonly #link: RedisLink;
  readonly #local: LocalNode;
  readonly #opts: RedisBrokerOptions;
  readonly #channel: string;
  readonly #epochKey: string;
  readonly #onMessage: (channel: string, payload: string) => void;
  /** Durable publishes Redis has not answered yet. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(link: RedisLink, local: LocalNode, opts: RedisBrokerOptions) {
    this.#link = link;
    this.#local = local;
    this.#opts = opts;
    this.#channel = `${opts.prefix}bus`;
    this.#epochKey = `${opts.prefix}epoch`;
    this.#onMessage = (channel, payload) => {
      if (channel === this.#channel) this.#dispatch(payload);
    };
  }

  /** Subscribes to the bus; resolves once this node hears everything published after it. */
  async start(): Promise<void> {
    this.#link.subscriber.on('message', this.#onMessage);
    await this.#link.subscriber.subscribe(this.#channel);
  }

  publish(stream: string, message: object, options: { durable?: boolean } = {}): void {
    const json = JSON.stringify(message);
    if (!options.durable) {
      this.#send(`{"k":"b","s":${JSON.stringify(stream)},"m":${json}}`);
      return;
    }
    const sent = this.#publishDurable(stream, json)
      .catch((err: unknown) =>
        // The message is stored (persist, then broadcast): clients that missed it catch up from
        // the REST history, and a node without Redis closes its connections so they do.
        this.#opts.log.error({ err, stream }, 'durable broadcast not published'),
      )
      .finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  async settled(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  control(command: ControlCommand): void {
    this.#send(`{"k":"c","c":${JSON.stringify(command)}}`);
  }

  async history(stream: string, query: HistoryQuery): Promise<HistoryResult> {
    const [epochRes, offsetRes, listRes] =
      (await this.#link.command
        .multi()
        .get(this.#epochKey)
        .get(this.#offsetKey(stream))
        .lrange(this.#historyKey(stream), 0, -1)
        .exec()) ?? [];
    const epoch = epochRes?.[1] as string | null | undefined;
    const lastOffset = Number((offsetRes?.[1] as string | null | undefined) ?? 0);
    const cutoff = Date.now() - this.#opts.historyTtlMs;
    const entries: (HistoryEntry & { at: number })[] = [];
    for (const raw of (listRes?.[1] as string[] | undefined) ?? []) {
      const parsed = StoredEntry.safeParse(JSON.parse(raw));
      if (!parsed.success || parsed.data.t < cutoff || !epoch) continue;
      entries.push({
        message: parsed.data.m,
        position: { stream, epoch, offset: parsed.data.o },
        at: parsed.data.t,
      });
    }
    if ('epoch' in query) {
      if (query.epoch !== epoch) return { ok: false, reason: 'epoch_mismatch' };
      const first = entries[0]?.position.offset ?? lastOffset + 1;
      if (query.offset + 1 < first) return { ok: false, reason: 'evicted' };
      return {
        ok: true,
        entries: entries.filter((e) => e.position.offset > query.offset).map(strip),
      };
    }
    return { ok: true, entries: entries.filter((e) => e.at >= query.sinceMs).map(strip) };
  }

  async close(): Promise<void> {
    this.#link.subscriber.off('message', this.#onMessage);
    if (this.#link.healthy) await this.#link.subscriber.unsubscribe(this.#channel).catch(() => {});
  }

  #send(payload: string): void {
    this.#link.command
      .publish(this.#channel, payload)
      .catch((err: unknown) => this.#opts.log.error({ err }, 'broadcast not published'));
  }

  async #publishDurable(stream: string, json: string): Promise<void> {
    const keys = [this.#epochKey, this.#offsetKey(stream), this.#historyKey(stream)];
    const args = [
      this.#channel,
      randomBytes(6).toString('base64url'),
      JSON.stringify(stream),
      json,
      String(this.#opts.historyLimit),
      String(Math.ceil(this.#opts.historyTtlMs / 1000)),
    ];
    await PUBLISH_DURABLE.run(this.#link.command, keys, args);
  }

  #dispatch(payload: string): void {
    let parsed;
    try {
      parsed = BusMessage.safeParse(JSON.parse(payload));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.#opts.log.warn('malformed message on the bus ignored');
      return;
    }
    const msg = parsed.data;
    if (msg.k === 'c') {
      this.#local.control(msg.c);
      return;
    }
    const position =
      msg.e !== undefined && msg.o !== undefined
        ? { stream: msg.s, epoch: msg.e, offset: msg.o }
        : undefined;
    this.#local.deliver(msg.s, msg.m, position);
  }

  #offsetKey(stream: string): string {
    return `${this.#opts.prefix}offset:${stream}`;
  }

  #historyKey(stream: string): string {
    return `${this.#opts.prefix}history:${stream}`;
  }
}

function strip(e: HistoryEntry & { at: number }): HistoryEntry {
  return { message: e.message, position: e.position };
}
