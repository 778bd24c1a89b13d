import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installErrorHandler } from './error-handler.js';
import { registerStaticWeb } from './static-web.js';

/** What the web app's routes answer, through Fastify's inject, on a small built app of our own. */

let root: string;
let app: FastifyInstance;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'salon-web-'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Salon</title>');
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'assets', 'app-1.js'), 'console.log(1)');
  app = Fastify();
  installErrorHandler(app);
  await registerStaticWeb(app, { root });
});
afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the web app routes', () => {
  test('the root is the app, whatever the client accepts', async () => {
    for (const accept of [undefined, '*/*', 'text/html']) {
      const res = await app.inject({
        method: 'GET',
        url: '/',
        headers: accept ? { accept } : {},
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  test('an app path is the app for a browser, a JSON 404 for anything else', async () => {
    const page = await app.inject({
      method: 'GET',
      url: '/rooms/abc',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    const api = await app.inject({ method: 'GET', url: '/rooms/abc' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  test('assets are served as they are, and nothing outside the root', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1)');
    for (const url of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fetc/passwd',
    ]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  test('the page’s Content-Security-Policy: no inline or eval script, no plugins, no framing', async () => {
    for (const url of ['/', '/rooms/abc']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      const header = res.headers['content-security-policy'];
      expect(typeof header, url).toBe('string');
      const policy = new Map(
        String(header)
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name = '', ...sources]) => [name, sources]),
      );
      // Scripts: the app's own files only. A scheme (https:, data:) or a wildcard would let
      // an injected <script src> load code from elsewhere.
      expect(policy.get('script-src'), url).toEqual(["'self'"]);
      expect(policy.get('default-src'), url).toEqual(["'self'"]);
      expect(policy.get('object-src'), url).toEqual(["'none'"]);
      expect(policy.get('base-uri'), url).toEqual(["'none'"]);
      expect(policy.get('frame-ancestors'), url).toEqual(["'none'"]);
      expect(policy.get('form-action'), url).toEqual(["'self'"]);
      for (const [name, sources] of policy) {
        for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*'])
          expect(sources, `${url} ${name}`).not.toContain(unsafe);
      }
      // Fetches and sockets to this origin only: a bare scheme source (ws:, https:) is any host.
      expect(policy.get('connect-src'), url).toEqual(["'self'"]);
    }
  });
});
