import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { Person, PHONE_VIEWPORT, SCREENS } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

describe.each(SCREENS)('message actions on $screen', ({ viewport }) => {
  it('reply, edit, delete and copy from the menu; the focus never falls to the page', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ana.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    await ben.startDm(ana.phone);
    await ben.send('Hello Ana');
    await ana.acceptRequest('Ben');
    await ana.send('First');
    await ana.send('Second');
    await ana.expectMessages(['Hello Ana', 'First', 'Second']);

    // Someone else's message: reply and copy only.
    let menu = await ana.openMessageMenu('Hello Ana');
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Reply', 'Copy']);
    await menu.getByRole('menuitem', { name: 'Copy' }).click();
    const clipboard = () =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText();
    expect(await ana.page.evaluate(clipboard)).toBe('Hello Ana');

    // Reply: the focus is in the composer, so what is typed next is not lost; Escape cancels.
    menu = await ana.openMessageMenu('Hello Ana');
    await menu.getByRole('menuitem', { name: 'Reply' }).click();
    expect(await ana.focused()).toMatch(/^textarea/);
    await ana.page.keyboard.type('Hi Ben');
    expect(await ana.messageField().inputValue()).toBe('Hi Ben');
    await ana.page.keyboard.press('Escape');
    await ana.page.getByText('Replying to').waitFor({ state: 'detached' });
    expect(await ana.messageField().inputValue()).toBe('Hi Ben');
    menu = await ana.openMessageMenu('Hello Ana');
    await menu.getByRole('menuitem', { name: 'Reply' }).click();
    await ana.page.keyboard.press('Enter');
    await ben.messageItems('Hi Ben').waitFor();
    expect(await ben.messageItems('Hi Ben').innerText()).toContain('Ben Hello Ana');

    // Edit: Escape leaves the editor with the focus on the message; saving too.
    menu = await ana.openMessageMenu('First');
    await menu.getByRole('menuitem', { name: 'Edit' }).click();
    const editor = ana.page.getByRole('textbox', { name: 'Edited text' });
    expect(await ana.focused()).toMatch(/^textarea/);
    await ana.page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    expect(await ana.focused()).toMatch(/^li: .*First/s);
    menu = await ana.openMessageMenu('First');
    await menu.getByRole('menuitem', { name: 'Edit' }).click();
    await editor.fill('First, edited');
    await ana.page.keyboard.press('Enter');
    await editor.waitFor({ state: 'detached' });
    expect(await ana.focused()).toMatch(/^li: .*First, edited/s);
    // "edited" shows although "Second" follows in the same minute.
    for (const person of [ana, ben]) {
      await person
        .messageItems('First, edited')
        .getByText('edited', { exact: false })
        .last()
        .waitFor();
      expect(await person.messageItems('First, edited').locator('.edited').isVisible()).toBe(true);
    }

    // Delete: the question takes Escape; yes deletes; the focus stays on the message.
    menu = await ana.openMessageMenu('Second');
    await menu.getByRole('menuitem', { name: 'Delete' }).click();
    const question = ana.page.getByRole('group', { name: 'Delete this message?' });
    await question.waitFor();
    await ana.page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached' });
    expect(await ana.focused()).toMatch(/^li: .*Second/s);
    menu = await ana.openMessageMenu('Second');
    await menu.getByRole('menuitem', { name: 'Delete' }).click();
    await question.getByRole('button', { name: 'Yes, delete' }).click();
    await ana.messageItems('Message deleted').waitFor();
    // The broadcast may show the deletion a moment before the answer to the request arrives:
    // the question goes away with it, and the focus lands on the message, never on the page.
    await expect.poll(() => ana.focused()).toMatch(/^li: .*Message deleted/s);
    await ben.messageItems('Message deleted').waitFor();
  });

  it('the keyboard: one tab stop for 100 messages, arrow keys between them, Enter opens the menu', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport });
    await ana.startDm(ben.phone);
    const texts = Array.from({ length: 100 }, (_, i) => `Line ${String(i + 1)}`);
    await ana.postMessages(ana.roomId(), texts);
    // Conversation links are named by their title alone (this one is a message request).
    await ben.requests().getByRole('link', { name: 'Ana', exact: true }).click();
    await ben.messageItems('Line 100').waitFor();
    await ben.acceptRequest('Ana');
    await ben.log().evaluate((log: { scrollTop: number; scrollHeight: number }) => {
      log.scrollTop = log.scrollHeight;
    });

    const tabStops = await ben
      .log()
      .evaluate(
        (log: {
          querySelectorAll(s: string): ArrayLike<{ tabIndex: number; disabled?: boolean }>;
        }) =>
          Array.from(log.querySelectorAll('a[href], button, textarea, input, [tabindex]')).filter(
            (el) => el.tabIndex >= 0 && el.disabled !== true,
          ).length,
      );
    // "Load older messages", the current message and its "Message actions" button.
    expect(tabStops).toBeLessThanOrEqual(3);

    // From the composer, back into the messages: the newest one has the tab stop.
    await ben.messageField().focus();
    for (let i = 0; i < 3 && !(await ben.focused()).startsWith('li:'); i++) {
      await ben.page.keyboard.press('Shift+Tab');
    }
    expect(await ben.focused()).toMatch(/^li: .*Line 100/s);
    await ben.page.keyboard.press('ArrowUp');
    expect(await ben.focused()).toMatch(/^li: .*Line 99/s);
    await ben.page.keyboard.press('ArrowDown');
    expect(await ben.focused()).toMatch(/^li: .*Line 100/s);
    await ben.page.keyboard.press('Enter');
    const menu = ben.page.getByRole('menu', { name: 'Message actions' });
    await menu.waitFor();
    expect(await ben.focused()).toMatch(/^button: Reply/);
    await ben.page.keyboard.press('ArrowDown');
    expect(await ben.focused()).toMatch(/^button: Copy/);
    await ben.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await ben.focused()).toBe('button: Message actions');
    await expectEventually('focus kept', () => ben.focused(), 'button: Message actions');
  });
});

describe('touch and mouse', () => {
  it('on a touch screen a long press opens the menu and a swipe to the right replies', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben', viewport: PHONE_VIEWPORT });
    await ana.startDm(ben.phone);
    await ana.send('Swipe me');
    await ben.acceptRequest('Ana');
    const bubble = ben.messageItems('Swipe me').locator('.bubble');
    const box = await bubble.boundingBox();
    if (!box) throw new Error('no bubble');
    const cdp = await ben.context.newCDPSession(ben.page);
    const at = (x: number) => [{ x, y: box.y + box.height / 2 }];
    const x0 = box.x + 20;

    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(x0) });
    const menu = ben.page.getByRole('menu', { name: 'Message actions' });
    await menu.waitFor();
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Reply', 'Copy']);
    // A tap elsewhere closes it.
    await ben.page.touchscreen.tap(PHONE_VIEWPORT.width / 2, 30);
    await menu.waitFor({ state: 'detached' });

    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(x0) });
    for (let dx = 10; dx <= 90; dx += 10) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(x0 + dx) });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await ben.page.getByText('Replying to').waitFor();
    expect(await menu.count()).toBe(0);
  });

  it('with a mouse, hovering a message moves nothing', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ana.startDm(ben.phone);
    await ana.send('Above');
    await ana.send('Below');
    await ben.acceptRequest('Ana');
    await ben.expectMessages(['Above', 'Below']);
    const before = await ben.messageItems('Below').boundingBox();
    await ben.messageItems('Above').hover();
    await ben.messageItems('Above').getByRole('button', { name: 'Message actions' }).waitFor();
    const after = await ben.messageItems('Below').boundingBox();
    expect(after?.y).toBe(before?.y);
  });
});
