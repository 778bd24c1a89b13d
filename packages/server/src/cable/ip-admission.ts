import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ipKey } from '../auth/ip-prefix.js';
import type { AppError } from '../errors.js';
import type { LimitStore } from '../limits/limit-store.js';
import { isLimitHit, rateLimited } from '../limits/retry-after.js';

export interface IpAdmissionOptions {
  /** Open connections (WebSocket or long-poll session) one client address may hold on this node. */
  maxOpenPerIp: number;
  /** Connection attempts one client address may make per second, counted in the limit store. */
  connectsPerSecond: number;
}

/** How long a client is told to wait when it holds too many open connections, seconds. */
export const OPEN_CAP_RETRY_SECONDS = 10;

/**
 * The per-address gate in front of the cable, before any authentication work: a connection
 * attempt is charged to its address (per second, in the limit store, so it holds cluster-wide),
 * and an open connection holds one of its address's slots until it closes.
 * Addresses are keyed as the sign-in limits key them: an IPv4 address, or an IPv6 /64.
 *
 * The open count is this node's own (a Map): it must drop to zero when the node dies, which a
 * count kept elsewhere would not; a balancer spreading an address over N nodes lets it hold N
 * times the cap.
 */
export class IpAdmission {
  readonly #open = new Map<string, number>();
  readonly #attempts: RateLimiterAbstract;
  readonly #maxOpen: number;

  constructor(store: LimitStore, opts: IpAdmissionOptions) {
    this.#maxOpen = opts.maxOpenPerIp;
    this.#attempts = store.limiter({
      keyPrefix: 'cable-connect-ip',
      points: opts.connectsPerSecond,
      durationSeconds: 1,
      // Charged on every connection: a transaction on the limits file each time was about a fifth
      // of the CPU of opening one (profiled with the bench's idle scenario).
      shortWindow: true,
    });
  }

  /**
   * Charges one attempt to `ip` and takes one of its open slots. Resolves with the function that
   * gives the slot back (call it once, when the connection closes), or with the refusal: 429
   * RATE_LIMITED with Retry-After.
   */
  async admit(
    ip: string,
  ): Promise<{ ok: true; release: () => void } | { ok: false; error: AppError }> {
    const key = ipKey(ip);
    try {
      await this.#attempts.consume(key, 1);
    } catch (err) {
      if (!isLimitHit(err)) throw err;
      return {
        ok: false,
        error: rateLimited('Too many connection attempts from your address.', err.msBeforeNext),
      };
    }
    const open = this.#open.get(key) ?? 0;
    if (open >= this.#maxOpen) {
      return {
        ok: false,
        error: rateLimited(
          'Too many connections are open from your address.',
          OPEN_CAP_RETRY_SECONDS * 1000,
        ),
      };
    }
    this.#open.set(key, open + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#open.get(key) ?? 1) - 1;
        if (left <= 0) this.#open.delete(key);
        else this.#open.set(key, left);
      },
    };
  }

  /** Open connections counted for `ip` on this node (for tests and stats). */
  openCount(ip: string): number {
    return this.#open.get(ipKey(ip)) ?? 0;
  }
}
