import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { seriousViolations } from './helpers/axe.js';
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

describe('the profile', () => {
  it('a new name shows live to the others, in their list, the open DM and a group’s members', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport: PHONE_VIEWPORT });
    await ana.startDm(ben.phone);
    await ana.send('Hi');
    await ben.acceptRequest('Ana');
    await ana.createGroup('Club', [ben.phone]);
    await ben.page.getByRole('link', { name: 'Back to conversations' }).click();
    await ben.conversation('Club').waitFor();
    await ben.openConversation('Ana');

    const profile = await ana.openProfile();
    await profile.getByRole('textbox', { name: 'Your name' }).fill('Ana Maria');
    await profile.getByRole('button', { name: 'Save' }).click();
    await profile.getByText('Saved.').waitFor();
    await ana.page.keyboard.press('Escape');

    // Ben's open DM takes the new name at once, and so does his list.
    await ben.page.getByRole('heading', { name: 'Ana Maria' }).waitFor();
    await ben.page.getByRole('link', { name: 'Back to conversations' }).click();
    await ben.conversation('Ana Maria').waitFor();
    await ben.openConversation('Club');
    await ben.page.getByRole('button', { name: 'Group settings' }).click();
    await ben.page
      .getByRole('dialog', { name: 'Group settings' })
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem', { name: 'Ana Maria' })
      .waitFor();
  });

  it('on a phone, "Note to self" opens one’s own conversation, listed like any other', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport: PHONE_VIEWPORT });
    const profile = await ana.openProfile();
    await profile.getByRole('button', { name: 'Note to self' }).click();
    await ana.page.getByRole('heading', { name: 'Note to self' }).waitFor();
    expect(await ana.page.locator('.conversation-title p').innerText()).toBe('Only you see this');
    await ana.send('Buy milk');
    await ana.expectMessages(['Buy milk']);
    // Checked once stored (a message still sending is drawn faded on purpose).
    await expectEventually(
      'the note stored',
      () => ana.messageItems('Buy milk').innerText(),
      (text) => /\b(Sent|Read)\b/.test(text),
    );
    expect(await seriousViolations(ana.page)).toEqual([]);

    await ana.page.getByRole('link', { name: 'Back to conversations' }).click();
    await expectEventually(
      'the note in the list',
      () => ana.conversation('Note to self').innerText(),
      (text) => text.includes('You: Buy milk'),
    );
    await ana.page.reload();
    await ana.openConversation('Note to self');
    await ana.expectMessages(['Buy milk']);
  });
});
