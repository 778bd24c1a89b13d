import type { FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from '../errors.js';
import type { AuthContext, SessionService } from './session-service.js';

export const SESSION_COOKIE = 'salon_session';

/** The session token a request carries: `Authorization: Bearer …` first, else the cookie. */
export function tokenFrom(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  cookies?: Record<string, string | undefined>,
): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  return cookies?.[SESSION_COOKIE];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAuth`; routes behind it may rely on it. */
    auth: AuthContext;
  }
}

/** A preHandler that admits only requests with a live session. */
export function requireAuth(sessions: SessionService) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = tokenFrom(request.headers, request.cookies);
    const ctx = token === undefined ? undefined : await sessions.authenticate(token);
    if (!ctx) throw unauthorized();
    request.auth = ctx;
  };
}

/**
 * The session cookie's attributes. HttpOnly: page scripts never read it (an injected script could
 * not carry the session away). SameSite=Strict: a browser sends it only with requests that another
 * site's page did not start, so no cross-site form post, navigation or WebSocket ever carries it;
 * Lax would still send it on another site's links. Strict costs the app nothing: its page
 * (index.html) is the same for everyone, and the requests that need the session are the page's own
 * fetches, which are same-site even when a link from elsewhere opened the page. Secure whenever the
 * client reached us over https (here, or as a trusted proxy says: `request.protocol`). Path=/ and
 * no Domain: the cookie goes to this host only, never to its subdomains.
 */
function sessionCookieOptions(request: FastifyRequest) {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
  } as const;
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  token: string,
  expiresAt: Date,
): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    ...sessionCookieOptions(request),
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request));
}
