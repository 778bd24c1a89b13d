import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { Person, PHONE_VIEWPORT } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

/** More than the SDK's page of 50: the list starts with the newest 50. */
const GROUPS = 60;

/** Makes `n` groups over the HTTP API with this person's session ("Group 1" is the oldest). */
async function makeGroups(person: Person, n: number): Promise<void> {
  await person.page.evaluate(async (n) => {
    for (let i = 1; i <= n; i++) {
      const res = await fetch('/api/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Group ${String(i)}`, members: [] }),
      });
      if (!res.ok) throw new Error(`group ${String(i)}: ${String(res.status)}`);
    }
  }, n);
}

describe('the conversation list is paged', () => {
  it('on a desktop, scrolling to the end loads the older conversations', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    await makeGroups(ana, GROUPS);
    await ana.page.reload();
    await ana.conversation(`Group ${String(GROUPS)}`).waitFor();
    const items = ana.conversationList().getByRole('listitem');
    expect(await items.count()).toBe(50);
    expect(await ana.conversation('Group 1').count()).toBe(0);
    await ana.page.getByRole('button', { name: 'Load more conversations' }).waitFor();

    await expectEventually(
      'all groups listed after scrolling to the end',
      async () => {
        await ana.page
          .locator('.list-scroll')
          .evaluate((el: { scrollTop: number; scrollHeight: number }) => {
            el.scrollTop = el.scrollHeight;
          });
        return items.count();
      },
      GROUPS,
    );
    await ana.conversation('Group 1').waitFor();
    // Everything is loaded: no button left.
    await ana.page
      .getByRole('button', { name: /Load more conversations/ })
      .waitFor({ state: 'detached' });
  });

  it('on a phone, "Load more conversations" loads the next page', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport: PHONE_VIEWPORT });
    await makeGroups(ana, GROUPS);
    await ana.page.reload();
    await ana.conversation(`Group ${String(GROUPS)}`).waitFor();
    expect(await ana.conversationList().getByRole('listitem').count()).toBe(50);
    // Pressed where it is, without scrolling to it (scrolling there would load by itself).
    await ana.page
      .getByRole('button', { name: 'Load more conversations' })
      .evaluate((button: { click(): void }) => button.click());
    await ana.conversation('Group 1').waitFor({ state: 'attached' });
    expect(await ana.conversationList().getByRole('listitem').count()).toBe(GROUPS);
  });
});
