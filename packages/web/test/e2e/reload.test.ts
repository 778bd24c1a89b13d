import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
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

describe('reloading the page', () => {
  it('keeps the session, the history in order and the unread counts', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });

    // Three messages in a DM and two in a group, none of them opened by Ben.
    const dm = ['First', 'Second', 'Third'];
    await ana.startDm(ben.phone);
    for (const text of dm) await ana.send(text);
    await ana.page.getByRole('button', { name: 'New group' }).click();
    const create = ana.page.getByRole('dialog', { name: 'New group' });
    await create.getByRole('textbox', { name: 'Group name' }).fill('Book club');
    await create.getByRole('textbox', { name: 'Members' }).fill(ben.phone);
    await create.getByRole('button', { name: 'Create group' }).click();
    await ana.page.getByRole('heading', { name: 'Book club' }).waitFor();
    const group = ['Next book?', 'Dune, maybe'];
    for (const text of group) await ana.send(text);
    await ana.expectMessages(group);
    await ben.expectUnread('Ana', 3);
    await ben.expectUnread('Book club', 2);

    await ben.page.reload();
    await ben.expectUnread('Ana', 3);
    await ben.expectUnread('Book club', 2);

    // Ben reads the DM only; after a reload, the DM is read and the group still is not.
    // The DM is a message request (they never talked): opening and accepting it reads it.
    await ben.acceptRequest('Ana');
    await ben.expectMessages(dm);
    await ben.expectUnread('Ana', 0);
    await ben.page.reload();
    await ben.expectMessages(dm);
    await ben.expectUnread('Ana', 0);
    await ben.expectUnread('Book club', 2);

    // Ana's side, on the group's own address: history in order, nothing unread.
    await ana.page.reload();
    await ana.page.getByRole('heading', { name: 'Book club' }).waitFor();
    await ana.expectMessages(group);
    await ana.openConversation('Ben');
    await ana.expectMessages(dm);
    await ana.expectUnread('Ben', 0);
    await ana.expectUnread('Book club', 0);
  });
});
