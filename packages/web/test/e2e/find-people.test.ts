import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
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

describe.each(SCREENS)('finding people on $screen', ({ viewport }) => {
  it('search, New message and New group offer the people one shares a room with', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    const cara = await Person.signIn(browser, server, { name: 'Cara' });
    await ana.createGroup('Trip', [ben.phone, cara.phone]);
    await ben.conversation('Trip').waitFor();
    const back = ana.page.getByRole('link', { name: 'Back to conversations' });
    if (await back.isVisible()) await back.click();

    // The search box finds Cara, whom Ana has no DM with, among the people she shares a room with.
    await ana.page.getByRole('searchbox', { name: 'Search conversations' }).fill('car');
    const people = ana.page.getByRole('list', { name: 'People' });
    await people.getByRole('listitem', { name: 'Cara' }).waitFor();
    expect(await people.getByRole('listitem', { name: 'Ben' }).count()).toBe(0);
    expect(await seriousViolations(ana.page)).toEqual([]);
    await people.getByRole('button', { name: 'Message Cara' }).click();
    await ana.page.getByRole('heading', { name: 'Cara' }).waitFor();
    await ana.send('Hi Cara');
    // They talked in the group: a normal DM for Cara, not a request.
    await cara.conversation('Ana').waitFor();
    expect(await cara.requests().count()).toBe(0);

    // New message: Ben, picked by name.
    if (await back.isVisible()) await back.click();
    await ana.page.getByRole('button', { name: 'New message' }).click();
    const dm = ana.page.getByRole('dialog', { name: 'New message' });
    await dm.getByRole('textbox', { name: 'Name or phone number' }).fill('Be');
    await dm
      .getByRole('button', { name: new RegExp(`^Ben ${ben.phone.replace('+', '\\+')}`) })
      .waitFor();
    expect(await seriousViolations(ana.page)).toEqual([]);
    await dm.getByRole('button', { name: /^Ben/ }).click();
    await ana.page.getByRole('heading', { name: 'Ben' }).waitFor();

    // New group: Ben and Cara ticked from the list, no numbers typed.
    if (await back.isVisible()) await back.click();
    await ana.page.getByRole('button', { name: 'New group' }).click();
    const group = ana.page.getByRole('dialog', { name: 'New group' });
    await group.getByRole('textbox', { name: 'Group name' }).fill('Dinner');
    await group.getByRole('checkbox', { name: /^Ben/ }).check();
    await group.getByRole('checkbox', { name: /^Cara/ }).check();
    await group.getByRole('button', { name: 'Create group' }).click();
    await ana.page.getByRole('heading', { name: 'Dinner' }).waitFor();
    await ana.page.getByText('3 members').waitFor();
    await ben.conversation('Dinner').waitFor();
    await cara.conversation('Dinner').waitFor();
  });
});
