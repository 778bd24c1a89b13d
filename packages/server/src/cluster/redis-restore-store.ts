import type { Logger } from 'pino';
import { z } from 'zod';
import type { RedisLink } from './redis-link.js';
import type { RestoreStore } from './seams.js';

const Snapshot = z.object({ u: z.string(), i: z.array(z.string()) });

/**
 * ext session restore in Redis: a client whose connection dropped may come back to any node.
 * Each snapshot is a key with the restore window as its TTL; GETDEL makes it single-use.
 */
export class RedisRestoreStore implements RestoreStore {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #log: Logger;

  constructor(link: RedisLink, opts: { prefix: string; ttlMs: number; log: Logger }) {
    this.#link = link;
    this.#prefix = `${opts.prefix}restore:`;
    this.#ttlMs = opts.ttlMs;
    this.#log = opts.log;
  }

  save(sid: string, userId: string, identifiers: string[]): void {
    if (this.#ttlMs <= 0) return;
    this.#link.command
      .set(this.#prefix + sid, JSON.stringify({ u: userId, i: identifiers }), 'PX', this.#ttlMs)
      .catch((err: unknown) => this.#log.warn({ err }, 'session snapshot not saved'));
  }

  async take(sid: string, userId: string): Promise<string[] | undefined> {
    const raw = await this.#link.command.getdel(this.#prefix + sid);
    if (raw === null) return undefined;
    let parsed;
    try {
      parsed = Snapshot.safeParse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    if (!parsed.success || parsed.data.u !== userId) return undefined;
    return parsed.data.i;
  }
}
