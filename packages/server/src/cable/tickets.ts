import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitStore } from '../limits/limit-store.js';
import { isLimitHit } from '../limits/retry-after.js';

export interface TicketClaims {
  sessionId: string;
  userId: string;
  /** Expiry, ms since epoch. */
  expiresAt: number;
  /** Random: names this ticket, so that it can be used once only. */
  nonce: string;
}

export type TicketCheck =
  { ok: true; claims: TicketClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Short-lived connect tickets, for clients that can only put a credential in the URL. Signed
 * with the server secret (so they survive a restart and work on every node), bound to a session
 * (revoking it voids them: the caller checks the session is live), valid for minutes only: the
 * long-lived token never appears in a URL or a proxy log. Single-use: a ticket copied from a
 * log or a browser's history opens nothing, because its first use spent it.
 */
export class CableTickets {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  /** Spent tickets, by nonce, until they would have expired anyway (survives restarts). */
  readonly #spent: RateLimiterAbstract;

  constructor(secret: string, ttlSeconds: number, store: LimitStore) {
    // A key of its own, so a ticket can never pass for any other signed value.
    this.#key = createHmac('sha256', secret).update('salon cable ticket v1').digest();
    this.#ttlMs = ttlSeconds * 1000;
    this.#spent = store.limiter({
      keyPrefix: 'ticket-used',
      points: 1,
      durationSeconds: ttlSeconds + 1,
    });
  }

  issue(sessionId: string, userId: string, now = Date.now()): string {
    const nonce = randomBytes(12).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({ s: sessionId, u: userId, e: now + this.#ttlMs, n: nonce }),
    ).toString('base64url');
    return `${body}.${this.#sign(body)}`;
  }

  /** Checks a ticket and spends it: a second use answers `expired`, as a stale one does. */
  async redeem(ticket: string, now = Date.now()): Promise<TicketCheck> {
    const check = this.check(ticket, now);
    if (!check.ok) return check;
    try {
      await this.#spent.consume(check.claims.nonce);
    } catch (err) {
      if (isLimitHit(err)) return { ok: false, reason: 'expired' };
      throw err;
    }
    return check;
  }

  check(ticket: string, now = Date.now()): TicketCheck {
    const dot = ticket.indexOf('.');
    if (dot <= 0 || ticket.length > 1024) return { ok: false, reason: 'invalid' };
    const body = ticket.slice(0, dot);
    const sig = Buffer.from(ticket.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#sign(body), 'base64url');
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected))
      return { ok: false, reason: 'invalid' };
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!isClaims(claims)) return { ok: false, reason: 'invalid' };
    if (claims.e <= now) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      claims: { sessionId: claims.s, userId: claims.u, expiresAt: claims.e, nonce: claims.n },
    };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

function isClaims(v: unknown): v is { s: string; u: string; e: number; n: string } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.s === 'string' &&
    typeof o.u === 'string' &&
    typeof o.e === 'number' &&
    typeof o.n === 'string'
  );
}
