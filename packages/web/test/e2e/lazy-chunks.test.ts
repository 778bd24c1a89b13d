import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { Person } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

describe('code loaded on demand', () => {
  it('a dialog whose code cannot be fetched leaves a reload prompt, not a blank page', async () => {
    const server = await startTestServer();
    let reachable = false;
    const ana = await Person.signIn(browser, server, {
      name: 'Ana',
      // The new-group dialog's chunk fails as after a dropped network or a redeploy.
      prepare: async (context) => {
        await context.route(/\/assets\/new-group-dialog-[^/]*\.js$/, (route) =>
          reachable ? route.fallback() : route.abort(),
        );
      },
    });

    await ana.page.getByRole('button', { name: 'New group' }).click();
    await ana.page.getByRole('alert').filter({ hasText: 'could not be loaded' }).waitFor();

    reachable = true;
    await ana.page.getByRole('button', { name: 'Reload' }).click();
    await ana.page.getByRole('button', { name: 'New group' }).click();
    await ana.page.getByRole('dialog', { name: 'New group' }).waitFor();
  });
});
