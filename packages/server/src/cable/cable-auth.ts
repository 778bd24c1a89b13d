import type { IncomingHttpHeaders } from 'node:http';
import type { AuthContext, SessionService } from '../auth/session-service.js';
import { SESSION_COOKIE, tokenFrom } from '../auth/request-auth.js';
import { crossSiteFetch, originAllowed, type OriginPolicy } from '../http/origin.js';
import type { CableTickets } from './tickets.js';

export type CableAuthResult =
  { ok: true; auth: AuthContext } | { ok: false; reason: 'unauthorized' | 'token_expired' };

export interface CableAuthDeps {
  sessions: SessionService;
  tickets: CableTickets;
  /** Which origins may connect with the session cookie (the request's own always may). */
  origins: OriginPolicy;
}

/** The scheme and host this request reached: the origin a same-site page has. */
export interface RequestSelf {
  scheme: 'http' | 'https';
  host: string | undefined;
}

/**
 * Authenticates a connection from its handshake: a `?ticket=`, an `Authorization: Bearer`
 * header, or the session cookie. The cookie counts only from an allowed Origin: a browser sends
 * cookies along with a cross-site WebSocket, so another site could otherwise speak as the user
 * (cross-site WebSocket hijacking). Tickets and headers cannot be forged by another site.
 */
export async function authenticateCable(
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  self: RequestSelf,
  deps: CableAuthDeps,
): Promise<CableAuthResult> {
  const ticket = query.get('ticket');
  if (ticket !== null && ticket !== '') {
    const check = await deps.tickets.redeem(ticket);
    if (!check.ok)
      return { ok: false, reason: check.reason === 'expired' ? 'token_expired' : 'unauthorized' };
    const auth = await deps.sessions.authenticateSession(check.claims.sessionId);
    return auth ? { ok: true, auth } : { ok: false, reason: 'unauthorized' };
  }

  const cookies = parseCookies(headers.cookie);
  const token = tokenFrom({ authorization: headers.authorization }, cookies);
  if (token === undefined) return { ok: false, reason: 'unauthorized' };
  const fromCookie = headers.authorization === undefined;
  // No Origin: not a browser (a browser sends it with every WebSocket), unless its fetch
  // metadata says that another site opened it.
  if (
    fromCookie &&
    (headers.origin === undefined
      ? crossSiteFetch(headers)
      : !originAllowed(headers.origin, self, deps.origins))
  )
    return { ok: false, reason: 'unauthorized' };
  const auth = await deps.sessions.authenticate(token);
  return auth ? { ok: true, auth } : { ok: false, reason: 'unauthorized' };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== SESSION_COOKIE) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie is no cookie.
    }
  }
  return out;
}
