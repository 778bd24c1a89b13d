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

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  token: string,
  expiresAt: Date,
): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  void reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
  });
}
