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

describe('direct messages in the browser', () => {
  it('starts a DM by phone as a request; once accepted, chats both ways live, shows unread then "Read"', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    // Ben is on a phone: the list and the conversation take turns on his screen.
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport: PHONE_VIEWPORT });

    await ana.startDm(ben.phone);
    // Until Ben answers, Ana knows only the number she typed: no name, no presence.
    await ana.page.getByRole('heading', { name: ben.phone }).waitFor();
    expect(await ana.page.locator('.conversation-title p').innerText()).toBe('Not accepted yet');
    await ana.send('Hi Ben, lunch today?');
    await ana.expectMessages(['Hi Ben, lunch today?']);
    await expectEventually(
      "Ana's message to be stored",
      () => ana.messageItems('Hi Ben, lunch today?').innerText(),
      (text) => /\bSent\b/.test(text),
    );

    // Ben never opened anything: the conversation waits under "Requests", unread, marked as one.
    await ben.request('Ana').waitFor();
    expect(await ben.conversationList().count()).toBe(0);
    const entry = await ben.request('Ana').innerText();
    expect(entry).toContain('Message request');
    expect(entry).toMatch(/\b1\b/);

    // He reads it first, with Accept / Delete / Block above the composer; Ana learns nothing.
    await ben.openRequest('Ana');
    await ben.expectMessages(['Hi Ben, lunch today?']);
    const panel = ben.page.getByRole('region', { name: 'Message request' });
    for (const name of ['Accept', 'Delete', 'Block'])
      expect(await panel.getByRole('button', { name }).isVisible()).toBe(true);
    expect(await ana.messageItems('Hi Ben, lunch today?').innerText()).not.toMatch(/\bRead\b/);
    expect(await ana.page.getByRole('heading', { name: 'Ben' }).count()).toBe(0);

    await ben.acceptRequest('Ana');
    // Accepted: Ana now sees his name and that he read it.
    await ana.page.getByRole('heading', { name: 'Ben' }).waitFor();
    await expectEventually(
      'Ana to see her message read',
      () => ana.messageItems('Hi Ben, lunch today?').innerText(),
      (text) => /\bRead\b/.test(text),
    );

    await ben.send('Sure, 12:30?');
    await ana.expectMessages(['Hi Ben, lunch today?', 'Sure, 12:30?']);
    await ana.send('Perfect');
    await ben.expectMessages(['Hi Ben, lunch today?', 'Sure, 12:30?', 'Perfect']);
    await ana.expectMessages(['Hi Ben, lunch today?', 'Sure, 12:30?', 'Perfect']);

    // Both read everything as it came: no unread left on either side.
    await ana.expectUnread('Ben', 0);
    await ben.page.getByRole('link', { name: 'Back to conversations' }).click();
    await ben.conversationList().waitFor();
    await ben.expectUnread('Ana', 0);
    expect(await ben.conversation('Ana').innerText()).toContain('Perfect');
  });
});
