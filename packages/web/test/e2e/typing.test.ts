import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { Person } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

describe('typing in the browser', () => {
  it('shows "is typing…" to the other side until the message arrives, or for about 5 s', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ben.startDm(ana.phone);
    await ben.send('Hello');
    await ana.acceptRequest('Ben');
    await ana.expectMessages(['Hello']);
    await expectEventually('no typing line yet', () => ben.typingLine().count(), 0);

    // Ana's first keystrokes show on Ben's side at once (and never on her own).
    await ana.messageField().pressSequentially('Are you coming tonight?');
    await ben.page.getByText('Ana is typing…').waitFor();
    expect(await ana.typingLine().count()).toBe(0);

    // Sending ends it: the message arrives and the line goes with it.
    await ana.messageField().press('Enter');
    await ben.expectMessages(['Hello', 'Are you coming tonight?']);
    await ben.typingLine().waitFor({ state: 'detached', timeout: 1000 });

    // Typing without sending: it shows, then goes by itself after about 5 s. (The SDK reports
    // typing at most every 2 s, so keep typing until it shows again.)
    const field = ana.messageField();
    await expectEventually(
      'Ben to see Ana typing again',
      async () => {
        await field.press('x');
        return ben.typingLine().count();
      },
      1,
      10_000,
    );
    const shownAt = Date.now();
    await ben.typingLine().waitFor({ state: 'detached', timeout: 10_000 });
    const shownFor = Date.now() - shownAt;
    expect(shownFor).toBeGreaterThan(3_000);
    expect(shownFor).toBeLessThan(8_000);
  });
});
