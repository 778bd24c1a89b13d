import type { IncomingHttpHeaders } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../auth/request-auth.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

/**
 * Cross-site request checks for everything a browser sends with the session cookie: the
 * cookie is SameSite=Strict, which still lets a page on any subdomain of the same site post with
 * it or open a WebSocket with it (a same-site page could log a person out), and older browsers
 * ignore SameSite altogether. A
 * request that carries the cookie must come from the server's own origin (scheme and host) or
 * one listed in SALON_ALLOWED_ORIGINS. Bearer tokens and tickets are not ambient: no check.
 */
export interface OriginPolicy {
  allowed: readonly string[];
  /** Whether the proxy that connected may say which scheme the client used (X-Forwarded-Proto). */
  trustsProxyAt(address: string): boolean;
}

export function originPolicy(config: Pick<Config, 'allowedOrigins' | 'trustProxy'>): OriginPolicy {
  const trust = config.trustProxy;
  const fn =
    trust === false
      ? () => false
      : typeof trust === 'number'
        ? () => trust > 0
        : proxyAddr.compile(trust);
  return { allowed: config.allowedOrigins ?? [], trustsProxyAt: (address) => fn(address, 0) };
}

/** The scheme the client used to reach this server: TLS here, or as a trusted proxy says. */
export function requestScheme(
  headers: IncomingHttpHeaders,
  socket: { encrypted?: boolean; remoteAddress?: string | undefined },
  policy: OriginPolicy,
): 'http' | 'https' {
  const forwarded = headers['x-forwarded-proto'];
  if (typeof forwarded === 'string' && policy.trustsProxyAt(socket.remoteAddress ?? '')) {
    // The last entry is the one the nearest (trusted) proxy wrote.
    return forwarded.split(',').pop()?.trim().toLowerCase() === 'https' ? 'https' : 'http';
  }
  return socket.encrypted === true ? 'https' : 'http';
}

/**
 * Whether `origin` may use the cookie: the request's own scheme and host, or a listed origin.
 * `undefined` (no Origin header) is for the caller to judge.
 */
export function originAllowed(
  origin: string,
  self: { scheme: 'http' | 'https'; host: string | undefined },
  policy: OriginPolicy,
): boolean {
  if (policy.allowed.includes(origin) || policy.allowed.includes('*')) return true;
  try {
    const url = new URL(origin);
    return url.host === self.host && url.protocol === `${self.scheme}:`;
  } catch {
    return false;
  }
}

/**
 * Whether fetch metadata says another page started the request: a browser sends Sec-Fetch-Site
 * with every request, and anything but `same-origin` (or `none`: typed in the address bar) is
 * another origin. Read only when Origin is missing, which a browser should never do on a
 * WebSocket or a POST; a client that is not a browser sends neither header.
 */
export function crossSiteFetch(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  return typeof site === 'string' && site !== 'same-origin' && site !== 'none';
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses a state-changing request made with the session cookie from another origin (or with no
 * Origin at all: browsers send one with every such request). Requests with an Origin but no
 * cookie are checked too, so that another site cannot sign a person in to its own account, and
 * so are those without Origin whose fetch metadata says another site sent them.
 */
export function checkOrigins(app: FastifyInstance, policy: OriginPolicy): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (!STATE_CHANGING.has(request.method) || request.headers.authorization !== undefined) {
      done();
      return;
    }
    const origin = request.headers.origin;
    const withCookie = request.headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
    const self = { scheme: request.protocol, host: request.headers.host };
    const refused =
      origin === undefined
        ? withCookie || crossSiteFetch(request.headers)
        : !originAllowed(origin, self, policy);
    if (refused) {
      done(
        new AppError(
          'ORIGIN_NOT_ALLOWED',
          403,
          'This request came from another site, so it was refused. Use the app’s own page.',
        ),
      );
      return;
    }
    done();
  });
}
