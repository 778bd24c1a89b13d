import { randomBytes } from 'node:crypto';
import type { RestoreStore } from '../cluster/seams.js';

interface Snapshot {
  userId: string;
  identifiers: string[];
  expiresAt: number;
}

/**
 * ext session restore: when an ext connection drops, its subscriptions are kept here under its
 * session id for a short while, so a client reconnecting with `?sid=` gets them back without
 * re-subscribing. The sid is a 128-bit secret, and a snapshot is only given back to the same user.
 */
export class SessionCache implements RestoreStore {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #snapshots = new Map<string, Snapshot>();

  constructor(ttlMs: number, maxEntries = 100_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  static newSid(): string {
    return randomBytes(16).toString('base64url');
  }

  save(sid: string, userId: string, identifiers: string[], now = Date.now()): void {
    this.#evict(now);
    if (this.#snapshots.size >= this.#maxEntries) {
      const oldest = this.#snapshots.keys().next();
      if (!oldest.done) this.#snapshots.delete(oldest.value);
    }
    this.#snapshots.set(sid, { userId, identifiers, expiresAt: now + this.#ttlMs });
  }

  /** Takes (and forgets) the snapshot of `sid` if it belongs to `userId` and is fresh. */
  take(sid: string, userId: string, now = Date.now()): Promise<string[] | undefined> {
    return Promise.resolve(this.#take(sid, userId, now));
  }

  #take(sid: string, userId: string, now: number): string[] | undefined {
    const snap = this.#snapshots.get(sid);
    if (!snap) return undefined;
    this.#snapshots.delete(sid);
    if (snap.userId !== userId || snap.expiresAt <= now) return undefined;
    return snap.identifiers;
  }

  get size(): number {
    return this.#snapshots.size;
  }

  #evict(now: number): void {
    // Insertion order is expiry order (same TTL for all), so stop at the first fresh one.
    for (const [sid, snap] of this.#snapshots) {
      if (snap.expiresAt > now) break;
      this.#snapshots.delete(sid);
    }
  }
}
