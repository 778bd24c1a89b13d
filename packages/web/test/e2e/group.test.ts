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

describe('groups in the browser', () => {
  it('a group of three: everyone sees everyone; add, remove, rename, leave', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    const cara = await Person.signIn(browser, server, { name: 'Cara' });

    await ana.page.getByRole('button', { name: 'New group' }).click();
    const create = ana.page.getByRole('dialog', { name: 'New group' });
    await create.getByRole('textbox', { name: 'Group name' }).fill('Climbing');
    await create.getByRole('textbox', { name: 'Members' }).fill(`${ben.phone}\n${cara.phone}`);
    await create.getByRole('button', { name: 'Create group' }).click();
    await ana.page.getByRole('heading', { name: 'Climbing' }).waitFor();
    await ana.page.getByText('3 members').waitFor();

    // The others get it live, with nothing in it yet.
    await ben.conversation('Climbing').waitFor();
    await cara.conversation('Climbing').waitFor();
    await ben.openConversation('Climbing');
    await cara.openConversation('Climbing');

    await ana.send('Saturday at the crag?');
    await ben.send('In!');
    await cara.send('Me too, I bring the rope');
    const chat = ['Saturday at the crag?', 'In!', 'Me too, I bring the rope'];
    for (const person of [ana, ben, cara]) await person.expectMessages(chat);
    // Others' messages are labelled with their sender; everyone read Ana's message.
    expect(await ben.messageItems('Me too, I bring the rope').innerText()).toContain('Cara');
    await expectEventually(
      "Ana's message read by both others",
      () => ana.messageItems('Saturday at the crag?').innerText(),
      (text) => text.includes('Read by 2'),
    );

    // Rename: everyone's list and header follow.
    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByRole('textbox', { name: 'Group name' }).fill('Climbing club');
    await settings.getByRole('button', { name: 'Rename' }).click();
    await ben.page.getByRole('heading', { name: 'Climbing club' }).waitFor();
    await cara.conversation('Climbing club').waitFor();
    await ana.conversation('Climbing club').waitFor();

    // Remove Cara: she loses the conversation, the others see two members.
    const members = settings.getByRole('list', { name: 'Members' });
    await settings.getByRole('button', { name: 'Remove Cara' }).click();
    await settings.getByRole('button', { name: 'Yes, remove' }).click();
    await members.getByRole('listitem', { name: 'Cara' }).waitFor({ state: 'detached' });
    await cara.page.getByText('You are no longer in this conversation.').waitFor();
    await expectEventually(
      "Cara's list without the group",
      () => cara.conversationList().getByRole('listitem', { name: 'Climbing club' }).count(),
      0,
    );
    await ben.page.getByText('2 members').waitFor();
    await ben.send('Cara, we will add you back');
    await ana.expectMessages([...chat, 'Cara, we will add you back']);

    // Add her back: the group returns to her list, and the view she still has open comes back
    // to life, history included.
    await settings.getByRole('textbox', { name: 'Add members' }).fill(cara.phone);
    await settings.getByRole('button', { name: 'Add' }).click();
    await members.getByRole('listitem', { name: 'Cara' }).waitFor();
    await cara.conversation('Climbing club').waitFor();
    await cara.expectMessages([...chat, 'Cara, we will add you back']);
    await cara.page.getByText('3 members').waitFor();
    await ben.send('Welcome back');
    await cara.expectMessages([...chat, 'Cara, we will add you back', 'Welcome back']);
    await cara.send('Thanks!');
    const back = [...chat, 'Cara, we will add you back', 'Welcome back', 'Thanks!'];
    await ana.expectMessages(back);
    await ben.expectMessages(back);
    await settings.getByRole('button', { name: 'Close' }).click();

    // Ben leaves: it is gone from his list, and the others see two members.
    await ben.page.getByRole('button', { name: 'Group settings' }).click();
    const benSettings = ben.page.getByRole('dialog', { name: 'Group settings' });
    await benSettings.getByRole('button', { name: 'Leave group' }).click();
    await benSettings.getByRole('button', { name: 'Yes, leave' }).click();
    await expectEventually(
      "Ben's list without the group",
      () => ben.page.getByRole('listitem', { name: 'Climbing club' }).count(),
      0,
    );
    await ana.page.getByText('2 members').waitFor();
    await cara.page.getByText('2 members').waitFor();
    await cara.send('Bye Ben');
    await ana.expectMessages([...back, 'Bye Ben']);
  });
});
