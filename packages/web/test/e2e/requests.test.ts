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

describe.each(SCREENS)('message requests and invitations on $screen', ({ viewport }) => {
  it('a request can be deleted or blocked: gone for the recipient, still "not accepted" for the sender', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const cara = await Person.signIn(browser, server, { name: 'Cara' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport });

    await ana.startDm(ben.phone);
    await ana.send('Hello from Ana');
    await cara.startDm(ben.phone);
    await cara.send('Hello from Cara');
    await ben.request('Ana').waitFor();
    await ben.request('Cara').waitFor();
    expect(await seriousViolations(ben.page)).toEqual([]);

    await ben.openRequest('Ana');
    await ben.expectMessages(['Hello from Ana']);
    expect(await seriousViolations(ben.page)).toEqual([]);
    await ben.page.getByRole('button', { name: 'Delete' }).click();
    await ben.request('Ana').waitFor({ state: 'detached' });
    // The list may drop the room (a cable event) a moment before the answer sends the page home.
    await expectEventually(
      'the page back at the list',
      () => new URL(ben.page.url()).pathname,
      '/',
    );
    // The focus went back to the list with the request, not lost to the page.
    await ben.page.locator('[data-list-focus]:focus, [data-list-focus] :focus').waitFor();
    // Ana is told nothing: still a number, still not accepted, never read.
    expect(await ana.page.locator('.conversation-title p').innerText()).toBe('Not accepted yet');
    expect(await ana.messageItems('Hello from Ana').innerText()).not.toMatch(/\bRead\b/);

    await ben.openRequest('Cara');
    await ben.page.getByRole('button', { name: 'Block' }).click();
    await ben.request('Cara').waitFor({ state: 'detached' });
    expect(await ben.requests().count()).toBe(0);

    // Cara is among the blocked people in the profile, and can be unblocked there.
    const profile = await ben.openProfile();
    const blocked = profile.getByRole('list', { name: 'Blocked people' });
    await blocked.getByRole('listitem', { name: 'Cara' }).waitFor();
    expect(await seriousViolations(ben.page)).toEqual([]);
    await blocked.getByRole('button', { name: 'Unblock Cara' }).click();
    await profile.getByText('You have not blocked anyone.').waitFor();
  });

  it('replying to a request accepts it: the answers go, and the sender sees who replied', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport });
    await ana.startDm(ben.phone);
    await ana.send('Lunch?');
    await ben.openRequest('Ana');
    const panel = ben.page.getByRole('region', { name: 'Message request' });
    await panel.waitFor();
    await ben.send('Yes!');
    await panel.waitFor({ state: 'detached' });
    await ana.expectMessages(['Lunch?', 'Yes!']);
    await ana.page.getByRole('heading', { name: 'Ben' }).waitFor();
    if (viewport.width < 760)
      await ben.page.getByRole('link', { name: 'Back to conversations' }).click();
    await ben.conversation('Ana').waitFor();
    expect(await ben.requests().count()).toBe(0);
  });

  it('with "who can add me" set to people I talk with, a stranger’s group is an invitation: Join, or Decline and block', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const cara = await Person.signIn(browser, server, { name: 'Cara' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport });

    await ben.page.getByRole('button', { name: 'Profile' }).click();
    const profile = ben.page.getByRole('dialog', { name: 'Profile' });
    await profile.getByRole('radio', { name: /^People I talk with/ }).check();
    await profile.getByText('Saved.').waitFor();
    await ben.page.keyboard.press('Escape');
    await profile.waitFor({ state: 'detached' });

    await ana.createGroup('Hikers', [ben.phone]);
    await ana.send('Sunday at 9?');
    await ben.request('Hikers').waitFor();
    expect(await ben.request('Hikers').innerText()).toContain('Ana invited you');
    // Ana sees the number she typed, marked as invited, and no name.
    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    const anaSettings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await expectEventually(
      'Ben invited, as Ana sees him',
      () =>
        anaSettings
          .getByRole('list', { name: 'Members' })
          .getByRole('listitem', { name: ben.phone })
          .innerText(),
      (text) => text.includes('(invited)') && !text.includes('Ben'),
    );
    await ana.page.keyboard.press('Escape');
    await anaSettings.waitFor({ state: 'detached' });
    await ben.openRequest('Hikers');
    await ben.expectMessages(['Sunday at 9?']);
    const panel = ben.page.getByRole('region', { name: 'Group invitation' });
    for (const name of ['Join', 'Decline', 'Decline and block'])
      expect(await panel.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
    expect(await seriousViolations(ben.page)).toEqual([]);

    await ben.acceptRequest('Hikers');
    await ben.send('Count me in');
    await ana.expectMessages(['Sunday at 9?', 'Count me in']);
    await ana.log().getByText('Ben joined').waitFor();
    if (viewport.width < 760)
      await ben.page.getByRole('link', { name: 'Back to conversations' }).click();
    await ben.conversation('Hikers').waitFor();

    await cara.createGroup('Deals', [ben.phone]);
    await ben.request('Deals').waitFor();
    await ben.openRequest('Deals');
    await ben.page.getByRole('button', { name: 'Decline and block' }).click();
    await ben.request('Deals').waitFor({ state: 'detached' });
    await ben.page.getByRole('button', { name: 'Profile' }).click();
    await profile
      .getByRole('list', { name: 'Blocked people' })
      .getByRole('listitem', { name: 'Cara' })
      .waitFor();
    await expectEventually(
      'the setting kept',
      () => profile.getByRole('radio', { name: /^People I talk with/ }).isChecked(),
      true,
    );
  });
});
