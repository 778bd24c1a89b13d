import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
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

/** Scrolls the open conversation to its newest message, as a reader's thumb would. */
async function scrollToEnd(person: Person): Promise<void> {
  await person.log().evaluate((log: { scrollTop: number; scrollHeight: number }) => {
    log.scrollTop = log.scrollHeight;
  });
}

const numbered = (what: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${what} ${String(i + 1)} of ${String(n)}`);

describe.each(SCREENS)('read marks follow what was seen, on $screen', ({ viewport }) => {
  it('a message arriving while scrolled far up is not read until seen; "new messages" brings it', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport });
    await ana.startDm(ben.phone);
    const roomId = ana.roomId();
    await ana.postMessages(roomId, numbered('Earlier', 40));
    await ben.acceptRequest('Ana');
    await ben.messageItems('Earlier 40 of 40').waitFor();
    // It opened on the first unread message; reading on to the end reads everything.
    await scrollToEnd(ben);
    await expectEventually('Ben read all', () => ben.serverUnread(roomId), 0);

    // Far up, reading old things.
    await ben.log().evaluate((log: { scrollTop: number }) => {
      log.scrollTop = 0;
    });
    await ana.send('Are you there?');
    const jump = ben.page.getByRole('button', { name: '1 new message' });
    await jump.waitFor();
    await ben.messageItems('Are you there?').waitFor({ state: 'attached' });
    // Arrived, counted as new, and not read: neither the server nor Ana thinks so.
    expect(await ben.serverUnread(roomId)).toBe(1);
    expect(await ana.messageItems('Are you there?').innerText()).toMatch(/\bSent\b/);

    await jump.click();
    await expectEventually(
      'Ana to see it read',
      () => ana.messageItems('Are you there?').innerText(),
      (t) => /\bRead\b/.test(t),
    );
    expect(await ben.serverUnread(roomId)).toBe(0);
    await jump.waitFor({ state: 'detached' });
  });

  it('opens on the first unread message under an "Unread messages" divider', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport });
    await ana.startDm(ben.phone);
    const roomId = ana.roomId();
    await ana.postMessages(roomId, numbered('Read before', 20));
    await ben.acceptRequest('Ana');
    await ben.messageItems('Read before 20 of 20').waitFor();
    await scrollToEnd(ben);
    await expectEventually('Ben read the first 20', () => ben.serverUnread(roomId), 0);
    await ben.page.goto(server.url);
    await ben.conversation('Ana').waitFor();
    await ana.postMessages(roomId, numbered('Unread', 30));
    await ben.page.reload();
    await ben.expectUnread('Ana', 30);

    await ben.openConversation('Ana');
    const divider = ben
      .log()
      .getByRole('listitem')
      .filter({ hasText: /^Unread messages$/ });
    await divider.waitFor();
    const log = await ben.log().boundingBox();
    const first = await ben.messageItems('Unread 1 of 30').boundingBox();
    const box = await divider.boundingBox();
    if (!log || !first || !box) throw new Error('nothing laid out');
    // The divider and the first unread message are on screen, at the top.
    expect(box.y).toBeGreaterThanOrEqual(log.y - 1);
    expect(first.y + first.height).toBeLessThanOrEqual(log.y + log.height);
    expect(box.y).toBeLessThan(log.y + log.height / 2);
    // What is below the fold is not read yet: the button counts it.
    await ben.page.getByRole('button', { name: /^\d+ new messages?$/ }).waitFor();
    expect(await ben.serverUnread(roomId)).toBeGreaterThan(0);
  });

  it('a member removed and added back loses the unread badge once the room is open', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const cara = await Person.signIn(browser, server, { name: 'Cara', viewport });
    await ana.createGroup('Back again', [cara.phone]);
    const roomId = ana.roomId();
    await ana.send('Hello Cara');
    await cara.openConversation('Back again');
    await cara.send('Hi! (the last word, for now)');
    await ana.expectMessages(['Hello Cara', 'Hi! (the last word, for now)']);
    await cara.page.goto(server.url);
    await cara.conversation('Back again').waitFor();

    await ana.page.getByRole('button', { name: 'Group settings' }).click();
    const settings = ana.page.getByRole('dialog', { name: 'Group settings' });
    await settings.getByRole('button', { name: 'Remove Cara' }).click();
    await settings.getByRole('button', { name: 'Yes, remove' }).click();
    await cara.conversation('Back again').waitFor({ state: 'detached' });
    await settings.getByRole('textbox', { name: 'Add members' }).fill(cara.phone);
    await settings.getByRole('button', { name: 'Add' }).click();
    // Back with a read mark of 0: Ana's message counts as unread again.
    await cara.expectUnread('Back again', 1);

    await cara.openConversation('Back again');
    await expectEventually("the server's unread count", () => cara.serverUnread(roomId), 0);
    await cara.page.reload();
    await cara.log().waitFor();
    expect(await cara.serverUnread(roomId)).toBe(0);
    if (viewport.width < 760)
      await cara.page.getByRole('link', { name: 'Back to conversations' }).click();
    await cara.expectUnread('Back again', 0);
  });
});
