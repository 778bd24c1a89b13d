import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('group settings by role', () => {
  it('a member field that is no number gets a hint before any request; members see no admin controls; removing asks first', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ana.createGroup('Book club', [ben.phone]);
    const memberRequests: string[] = [];
    ana.page.on('request', (request) => {
      if (/\/members/.test(request.url()) && request.method() !== 'GET')
        memberRequests.push(request.url());
    });

    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    const field = settings.getByRole('textbox', { name: 'Add members' });
    await field.fill('12345');
    await settings.getByRole('button', { name: 'Add' }).click();
    await settings.getByText('“12345” is not a phone number.', { exact: false }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(memberRequests).toEqual([]);

    // Removing asks first; Cancel (or Escape) keeps Ben, with the focus back on his button.
    await settings.getByRole('button', { name: 'Remove Ben' }).click();
    const question = settings.getByRole('group', { name: 'Remove Ben from the group?' });
    await question.waitFor();
    await ana.page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached' });
    expect(await ana.focused()).toBe('button: Remove Ben');
    expect(await settings.isVisible()).toBe(true);
    expect(memberRequests).toEqual([]);

    // Ben, an ordinary member, sees the members and Leave, and no controls that would fail.
    await ben.openConversation('Book club');
    await ben.page.getByRole('button', { name: 'Group settings' }).click();
    const benSettings = ben.page.getByRole('dialog', { name: 'Group settings' });
    await benSettings.getByRole('list', { name: 'Members' }).waitFor();
    expect(await benSettings.getByRole('button', { name: 'Rename' }).count()).toBe(0);
    expect(await benSettings.getByRole('textbox', { name: 'Add members' }).count()).toBe(0);
    expect(await benSettings.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    await benSettings.getByRole('button', { name: 'Leave group' }).waitFor();
  });
});
