import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, testPhone } from '../../../server/test/helpers/salon-server.js';
import { seriousViolations } from './helpers/axe.js';
import { launchChromium } from './helpers/browser.js';
import { Person, SCREENS } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

/** Every screen, checked by axe-core: no violation of impact "serious" or "critical". */
describe.each(SCREENS)('accessibility on $screen', ({ viewport }) => {
  it('every screen passes axe-core at "serious" and above', async () => {
    const server = await startTestServer();
    const found: string[] = [];
    const check = async (page: Page, screen: string) => {
      for (const v of await seriousViolations(page)) found.push(`${screen}: ${v}`);
    };

    // Sign-in, on a page of its own.
    const context = await browser.newContext({ viewport, hasTouch: viewport.width < 760 });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('textbox', { name: 'Phone number' }).waitFor();
    await check(page, 'sign-in: phone');
    const phone = testPhone();
    await page.getByRole('textbox', { name: 'Phone number' }).fill(phone);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByRole('textbox', { name: 'Code' }).fill(await server.sms.nextCode(phone));
    await check(page, 'sign-in: code');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).waitFor();
    await check(page, 'name prompt');
    await page.getByRole('textbox', { name: 'Your name' }).fill('Dee');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'New message' }).waitFor();
    await check(page, 'empty conversation list');
    await context.close();

    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    for (const [button, dialog] of [
      ['New message', 'New message'],
      ['New group', 'New group'],
      ['Profile', 'Profile'],
    ] as const) {
      await ana.page.getByRole('button', { name: button }).click();
      await ana.page.getByRole('dialog', { name: dialog }).waitFor();
      await check(ana.page, `dialog ${dialog}`);
      await ana.page.keyboard.press('Escape');
      await ana.page.getByRole('dialog', { name: dialog }).waitFor({ state: 'detached' });
    }

    await ben.startDm(ana.phone);
    await ben.send('Hello, with a link to www.example.org');
    await ana.request('Ben').waitFor();
    await check(ana.page, 'conversation list with a request');
    await ana.openRequest('Ben');
    await check(ana.page, 'message request');
    await ana.acceptRequest('Ben');
    await ana.send('Hi Ben');
    await ana.send('This one goes away');
    const menu = await ana.openMessageMenu('This one goes away');
    await check(ana.page, 'message menu');
    await menu.getByRole('menuitem', { name: 'Delete' }).click();
    await check(ana.page, 'delete question');
    await ana.page.getByRole('button', { name: 'Yes, delete' }).click();
    await ana.messageItems('Message deleted').waitFor();
    await ana.page.getByText('online', { exact: true }).waitFor();
    await check(ana.page, 'direct conversation (online, own deleted message)');
    await ana.page.getByRole('button', { name: 'Details' }).click();
    // The dialog's code loads on first use: check it once it is there, and see it closed.
    const details = ana.page.getByRole('dialog', { name: 'Details' });
    await details.waitFor();
    await check(ana.page, 'dialog Details');
    await ana.page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });

    if (viewport.width < 760) {
      await ana.page.getByRole('link', { name: 'Back to conversations' }).click();
    }
    await ana.createGroup('Readers', [ben.phone]);
    await ana.send('Welcome');
    await check(ana.page, 'group conversation');
    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    await ana.page.getByRole('dialog', { name: 'Group settings' }).waitFor();
    await check(ana.page, 'dialog Group settings');
    await ana.page.keyboard.press('Escape');
    if (viewport.width < 760) {
      await ana.page.getByRole('link', { name: 'Back to conversations' }).click();
    }
    await ana.conversation('Readers').waitFor();
    await check(ana.page, 'conversation list');

    expect(found).toEqual([]);
  });
});
