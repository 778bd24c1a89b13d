import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TicketClaims {
  sessionId: string;
  userId: string;
  /** Expiry, ms since epoch. */
  expiresAt: number;
}

export type TicketCheck =
  { ok: true; claims: TicketClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Short-lived connect tickets, for clients that can only put a credential in the URL. Signed
 * with the server secret (so they survive a restart and work on every node), bound to a session
 * (revoking it voids them: the caller checks the session is live), valid for minutes only: the
 * long-lived token never appears in a URL or a proxy log.
 */
export class CableTickets {
  readonly #key: Buffer;
  readonly #ttlMs: number;

  constructor(secret: string, ttlSeconds: number) {
    // A key of its own, so a ticket can never pass for any other signed value.
    this.#key = createHmac('sha256', secret).update('salon cable ticket v1').digest();
    this.#ttlMs = ttlSeconds * 1000;
  }

  issue(sessionId: string, userId: string, now = Date.now()): string {
    const body = Buffer.from(
      JSON.stringify({ s: sessionId, u: userId, e: now + this.#ttlMs }),
    ).toString('base64url');
    return `${body}.${this.#sign(body)}`;
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
    return { ok: true, claims: { sessionId: claims.s, userId: claims.u, expiresAt: claims.e } };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

function isClaims(v: unknown): v is { s: string; u: string; e: number } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.s === 'string' && typeof o.u === 'string' && typeof o.e === 'number';
}
