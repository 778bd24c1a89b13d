import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { Person, PHONE_VIEWPORT } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

describe('the composer and message text', () => {
  it('on a phone: Enter sends, Shift+Enter is a new line, HTML shows as text', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport: PHONE_VIEWPORT });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ana.startDm(ben.phone);
    // On a phone the conversation takes the whole screen; the list is one tap back.
    await ana.page.getByRole('link', { name: 'Back to conversations' }).waitFor();
    expect(await ana.conversationList().isVisible()).toBe(false);

    const field = ana.messageField();
    await field.pressSequentially('Line one');
    await field.press('Shift+Enter');
    await field.pressSequentially('Line two');
    expect(await field.inputValue()).toBe('Line one\nLine two');
    await field.press('Enter');
    expect(await field.inputValue()).toBe('');

    const html = '<b>x</b> and <img src=x onerror="window.__salonPwned=1">';
    await field.pressSequentially(html);
    await field.press('Enter');

    await ben.acceptRequest('Ana');
    await ben.expectMessages(['Line one\nLine two', html]);
    await ana.expectMessages(['Line one\nLine two', html]);
    for (const person of [ana, ben]) {
      // One message with two lines, shown as two lines.
      expect(await person.messageItems('Line one').count()).toBe(1);
      // The markup is the text of the message, and nothing of it became an element.
      expect(await person.messageItems('<b>x</b>').innerText()).toContain(html);
      expect(await person.log().locator('b, img').count()).toBe(0);
      const pwned = await person.page.evaluate(
        () => (globalThis as { __salonPwned?: unknown }).__salonPwned,
      );
      expect(pwned).toBeUndefined();
    }

    // And back to the list on the phone, where the conversation shows what was said last.
    await ana.page.getByRole('link', { name: 'Back to conversations' }).click();
    await ana.conversation('Ben').waitFor();
    expect(await ana.conversation('Ben').innerText()).toContain('You: <b>x</b>');
  });
});
