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

describe('group events in the timeline', () => {
  it('shows created / added / renamed / left as system lines, without actions, not unread, in the list preview', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport: PHONE_VIEWPORT });
    const cara = await Person.signIn(browser, server, { name: 'Cara' });

    await ana.createGroup('Climbing', [ben.phone]);
    const line = (person: Person, text: string) =>
      person.log().getByRole('listitem').filter({ hasText: text });
    await line(ana, 'You created the group “Climbing”').waitFor();

    // Ben has not opened it: the event is in the preview, and nothing is unread.
    await ben.conversation('Climbing').waitFor();
    await expectEventually(
      "Ben's preview",
      () => ben.conversation('Climbing').innerText(),
      (text) => text.includes('Ana created the group “Climbing”'),
    );
    expect(await ben.unreadCount('Climbing')).toBe(0);

    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByRole('textbox', { name: 'Add members' }).fill(cara.phone);
    await settings.getByRole('button', { name: 'Add', exact: true }).click();
    await settings
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem', { name: 'Cara' })
      .waitFor();
    await line(ana, 'You added Cara').waitFor();
    await expectEventually(
      "Ben's preview after the addition",
      () => ben.conversation('Climbing').innerText(),
      (text) => text.includes('Ana added Cara'),
    );
    await settings.getByRole('textbox', { name: 'Group name' }).fill('Climbing club');
    await settings.getByRole('button', { name: 'Rename' }).click();
    await ana.page.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });
    await line(ana, 'You renamed the group to “Climbing club”').waitFor();
    await ben.conversation('Climbing club').waitFor();
    await expectEventually(
      "Ben's preview after the rename",
      () => ben.conversation('Climbing club').innerText(),
      (text) => text.includes('Ana renamed the group to “Climbing club”'),
    );
    expect(await ben.unreadCount('Climbing club')).toBe(0);

    await ben.openConversation('Climbing club');
    await line(ben, 'Ana created the group “Climbing”').waitFor();
    await line(ben, 'Ana added Cara').waitFor();
    await line(ben, 'Ana renamed the group to “Climbing club”').waitFor();
    // A system line is not a message: no bubble, no actions, not a tab stop.
    const created = line(ben, 'Ana created the group');
    expect(await created.getByRole('button').count()).toBe(0);
    expect(await created.getAttribute('tabindex')).toBeNull();
    expect(await created.locator('.bubble').count()).toBe(0);

    await cara.openConversation('Climbing club');
    await cara.page.getByRole('button', { name: 'Group settings' }).click();
    await cara.page.getByRole('button', { name: 'Leave group' }).click();
    await cara.page.getByRole('button', { name: 'Yes, leave' }).click();
    await line(ben, 'Cara left').waitFor();
    await line(ana, 'Cara left').waitFor();
    // Still nothing new for Ben to read: no "new messages" button counts it.
    expect(await ben.page.getByRole('button', { name: /new messages?$/ }).count()).toBe(0);
    await expectEventually(
      "Ana's preview",
      () => ana.conversation('Climbing club').innerText(),
      (text) => text.includes('Cara left'),
    );
    await ana.send('Fewer of us');
    await ben.expectMessages(['Fewer of us']);
  });
});
