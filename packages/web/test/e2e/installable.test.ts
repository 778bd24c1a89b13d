import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { Person, PHONE_VIEWPORT } from './helpers/person.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

interface Manifest {
  name: string;
  start_url: string;
  display: string;
  theme_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

describe('the installable app', () => {
  it('has a manifest with icons and a theme colour, and serves no source maps', async () => {
    const server = await startTestServer();
    const html = await (await fetch(server.url, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    expect(html).toContain('<meta name="theme-color"');
    const res = await fetch(`${server.url}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const manifest = (await res.json()) as Manifest;
    expect(manifest).toMatchObject({ name: 'Salon', start_url: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#/);
    const sizes = manifest.icons.map((icon) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
    for (const icon of manifest.icons) {
      const got = await fetch(`${server.url}${icon.src}`);
      expect(got.status, icon.src).toBe(200);
      expect(got.headers.get('content-type'), icon.src).toContain(icon.type);
    }

    // The production build has no source map, and its scripts point to none.
    const built = fs.readdirSync(path.join(DIST, 'assets'));
    expect(built.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const file of built.filter((f) => f.endsWith('.js'))) {
      expect(fs.readFileSync(path.join(DIST, 'assets', file), 'utf8')).not.toContain(
        'sourceMappingURL',
      );
      const map = await fetch(`${server.url}/assets/${file}.map`, {
        headers: { accept: 'application/json' },
      });
      expect(map.status).toBe(404);
    }
  });

  it('opens without a network (the kept shell), never keeps API answers, and comes back online by itself', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport: PHONE_VIEWPORT });
    const controlled = () =>
      ana.page.evaluate(
        () =>
          (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } })
            .navigator.serviceWorker.controller !== null,
      );
    // The worker installs on the first visit and takes the page over once it is active.
    await expectEventually(
      'the service worker to be active',
      async () => {
        if (!(await controlled())) await ana.page.reload();
        return controlled();
      },
      true,
      20_000,
    );
    await ana.page.getByRole('button', { name: 'New message' }).waitFor();

    const kept = await ana.page.evaluate(async () => {
      const g = globalThis as unknown as {
        caches: {
          keys(): Promise<string[]>;
          open(name: string): Promise<{ keys(): Promise<{ url: string }[]> }>;
        };
      };
      const urls: string[] = [];
      for (const name of await g.caches.keys()) {
        for (const request of await (await g.caches.open(name)).keys()) urls.push(request.url);
      }
      return urls.map((url) => new URL(url).pathname);
    });
    expect(kept).toContain('/index.html');
    expect(kept.filter((p) => /^\/(api|cable)/.test(p))).toEqual([]);

    await ana.context.setOffline(true);
    await ana.page.reload();
    await ana.page.getByText('You are offline').waitFor();
    await ana.context.setOffline(false);
    await ana.page.getByRole('button', { name: 'New message' }).waitFor();
  });
});
