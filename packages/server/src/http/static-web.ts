import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WEB_DIST_DIR } from '../server-files.js';

/** Paths that belong to the API and the cable: never answered with the app, even for browsers. */
const RESERVED = /^\/(?:api|cable|healthz)(?:[/?#]|$)/;

/** Vite names everything under assets/ after its content hash, so a year of caching is safe. */
const ASSET_PREFIX = `assets${path.sep}`;
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Same-origin only. Message bodies are rendered as text, so no inline script is ever needed.
 * `connect-src 'self'` covers the app's own WebSocket (CSP Level 3: 'self' matches ws:/wss: on the
 * page's host, in every current browser); listing the bare `ws:`/`wss:` schemes, as this policy
 * once did for older browsers, let a script connect to any host at all, a way out for stolen data.
 * Checked in a test (static-web.test.ts) and in Chromium (packages/web/test/e2e/xss.test.ts).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface StaticWebOptions {
  /** The built app's directory. Default: packages/web/dist. */
  root?: string;
}

/**
 * Serves the web app at `/`: its files as they are, and `index.html` for any other GET that a
 * browser makes for a page (Accept: text/html) outside /api, /cable and /healthz, so the app's own
 * paths survive a reload. Everything else keeps the JSON 404. Without a build it only warns:
 * the API works without the app.
 */
export async function registerStaticWeb(
  app: FastifyInstance,
  options: StaticWebOptions = {},
): Promise<void> {
  const root = path.resolve(options.root ?? WEB_DIST_DIR);
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn(
      { root },
      'web app not built: / will not serve it (run `npm run build --workspace @salon/web`)',
    );
    return;
  }
  // serve: false only adds reply.sendFile; the route below decides what each path gets.
  await app.register(fastifyStatic, { root, serve: false });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const pathname = request.url.split('?')[0] ?? '/';
      if (RESERVED.test(pathname)) return reply.callNotFound();
      // The site's root is the app whatever the client accepts (`curl localhost:3000` included).
      if (pathname === '/') return sendIndex(reply);
      const file = await fileUnder(root, pathname);
      if (file !== null) {
        if (file === 'index.html') return sendIndex(reply);
        const immutable = file.startsWith(ASSET_PREFIX);
        return reply
          .header('x-content-type-options', 'nosniff')
          .sendFile(file, { maxAge: immutable ? ONE_YEAR_MS : 0, immutable });
      }
      if (acceptsHtml(request)) return sendIndex(reply);
      return reply.callNotFound();
    },
  });
}

function sendIndex(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .sendFile('index.html', { cacheControl: false });
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/**
 * The path of a regular file under `root` named by the URL path, relative to `root`, or null.
 * Refuses what could escape the root (`..`, encoded separators, NUL); @fastify/send checks again.
 */
async function fileUnder(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const absolute = path.resolve(root, `.${decoded}`);
  if (!absolute.startsWith(root + path.sep)) return null;
  const relative = path.relative(root, absolute);
  if (relative.split(path.sep).some((segment) => segment.startsWith('.'))) return null;
  try {
    const info = await stat(absolute);
    return info.isFile() ? relative : null;
  } catch {
    return null;
  }
}
