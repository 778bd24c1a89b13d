import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { seriousViolations } from './helpers/axe.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { Person, SCREENS } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

describe.each(SCREENS)('blocking on $screen', ({ viewport }) => {
  it('blocks from a DM’s details (the DM is left) and unblocks from the profile', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ben.startDm(ana.phone);
    await ben.send('Hi Ana');
    await ana.acceptRequest('Ben');
    await ana.send('Hi Ben');
    await ben.expectMessages(['Hi Ana', 'Hi Ben']);

    await ana.page.getByRole('button', { name: 'Details' }).click();
    const details = ana.page.getByRole('dialog', { name: 'Details' });
    await details.getByRole('button', { name: 'Block Ben' }).click();
    expect(await seriousViolations(ana.page)).toEqual([]);
    await details.getByRole('button', { name: 'Yes, block' }).click();
    await details.waitFor({ state: 'detached' });
    // The dialog may close a moment before the page goes home.
    await expectEventually(
      'the page back at the list',
      () => new URL(ana.page.url()).pathname,
      '/',
    );
    await ana.conversation('Ben').waitFor({ state: 'detached' });

    const profile = await ana.openProfile();
    const blocked = profile.getByRole('list', { name: 'Blocked people' });
    await blocked.getByRole('listitem', { name: 'Ben' }).waitFor();
    await blocked.getByRole('button', { name: 'Unblock Ben' }).click();
    await profile.getByText('You have not blocked anyone.').waitFor();
  });

  it('blocks and unblocks a member from a group’s member list', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ana.createGroup('Neighbours', [ben.phone]);
    await ben.conversation('Neighbours').waitFor();

    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    const members = settings.getByRole('list', { name: 'Members' });
    await members.getByRole('button', { name: 'Block Ben' }).click();
    await members.getByRole('button', { name: 'Unblock Ben' }).waitFor();
    // Blocking does not take him out of the group.
    await members.getByRole('listitem', { name: 'Ben' }).waitFor();
    expect(await seriousViolations(ana.page)).toEqual([]);
    await ana.page.keyboard.press('Escape');
    await settings.waitFor({ state: 'detached' });

    const profile = await ana.openProfile();
    await profile
      .getByRole('list', { name: 'Blocked people' })
      .getByRole('listitem', { name: 'Ben' })
      .waitFor();
    await ana.page.keyboard.press('Escape');
    await profile.waitFor({ state: 'detached' });

    await ana.openConversation('Neighbours');
    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    await members.getByRole('button', { name: 'Unblock Ben' }).click();
    await members.getByRole('button', { name: 'Block Ben' }).waitFor();
  });
});
