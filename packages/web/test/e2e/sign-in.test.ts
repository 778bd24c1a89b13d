import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, testPhone } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

async function freshPage(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

const isFocused = (page: Page, selector: string) =>
  page
    .locator(`${selector}:focus`)
    .count()
    .then((n) => n === 1);

describe('signing in', () => {
  it('asking for a new code too soon: one sentence with a live countdown; the code field stays as it was', async () => {
    const server = await startTestServer({ env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const page = await freshPage(server.url);
    const phone = testPhone();
    await page.getByRole('textbox', { name: 'Phone number' }).fill(phone);
    await page.keyboard.press('Enter');
    await server.sms.nextCode(phone);
    // The focus went on to the code field, not back to the page.
    await expectEventually('the focus in Code', () => isFocused(page, '#code'), true);

    await page.getByRole('button', { name: 'Get a new code' }).click();
    const error = page.locator('.error');
    await error.waitFor();
    const first = await error.innerText();
    expect(first.match(/Try again in/g)).toHaveLength(1);
    const seconds = Number(/Try again in (\d+) s\.$/.exec(first)?.[1]);
    expect(seconds).toBeGreaterThan(20);
    await expectEventually(
      'the countdown to move',
      () => error.innerText(),
      (text) => Number(/Try again in (\d+) s\./.exec(text)?.[1]) < seconds,
    );
    expect(await page.getByRole('textbox', { name: 'Code' }).getAttribute('aria-invalid')).toBe(
      null,
    );
    await page.context().close();
  });

  it('five wrong codes: the code is used up, a new one is offered at once and works', async () => {
    const server = await startTestServer();
    const page = await freshPage(server.url);
    const phone = testPhone();
    await page.getByRole('textbox', { name: 'Phone number' }).fill(phone);
    await page.getByRole('button', { name: 'Send code' }).click();
    const code = await server.sms.nextCode(phone);
    const wrong = code === '111111' ? '222222' : '111111';
    const field = page.getByRole('textbox', { name: 'Code' });
    for (let i = 1; i <= 4; i++) {
      await field.fill(wrong);
      await field.press('Enter');
      await page.getByText('That code is not right').waitFor();
      expect(await field.getAttribute('aria-invalid')).toBe('true');
    }
    await field.fill(wrong);
    await field.press('Enter');
    await page.getByText(/used up/).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    await expectEventually(
      'the focus on "Get a new code"',
      () => page.locator('button:focus').innerText(),
      'Get a new code',
    );
    await page.keyboard.press('Enter');
    const fresh = await server.sms.nextCode(phone);
    await expectEventually('the focus in Code', () => isFocused(page, '#code'), true);
    await page.keyboard.type(fresh);
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: 'Your name' }).waitFor();
    await page.context().close();
  });
});
