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

const pageWidth = (person: Person) =>
  person.page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );

describe.each(SCREENS)('the layout on $screen', ({ viewport }) => {
  it('never scrolls sideways with an unread badge and a long preview; dialogs open on screen', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana', viewport });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ben.startDm(ana.phone);
    for (let i = 0; i < 3; i++) {
      await ben.send(`A long preview that goes on and on ${'and on '.repeat(30)} (${String(i)})`);
    }
    await ana.expectUnread('Ben', 3);
    expect(await pageWidth(ana)).toBe(viewport.width);

    await ana.page.getByRole('button', { name: 'New group' }).click();
    const dialog = ana.page.getByRole('dialog', { name: 'New group' });
    await dialog.waitFor();
    const box = await dialog.boundingBox();
    if (!box) throw new Error('no dialog box');
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
  });
});

describe('small screens, long names, links', () => {
  it('at 320 px a long group title keeps its room; names are never cut; the profile renames', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, {
      name: 'Ana',
      viewport: { width: 320, height: 640 },
    });
    const title = 'The Saturday morning climbing club of the north side';
    await ana.createGroup(title, []);
    const heading = ana.page.getByRole('heading', { name: title });
    expect((await heading.boundingBox())?.width).toBeGreaterThan(150);
    expect(await pageWidth(ana)).toBe(320);

    // Back to the list: Sign out is an icon button that cannot wrap.
    await ana.page.getByRole('link', { name: 'Back to conversations' }).click();
    const signOut = await ana.page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect(signOut?.height).toBeLessThanOrEqual(48);

    await ana.page.getByRole('button', { name: 'Profile' }).click();
    const profile = ana.page.getByRole('dialog', { name: 'Profile' });
    const name = profile.getByRole('textbox', { name: 'Your name' });
    const long = 'A'.repeat(70);
    await name.fill(long);
    expect(await name.inputValue()).toBe(long);
    await profile.getByText('Names can be at most 64 characters (70 now).').waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Ana Bell');
    await profile.getByRole('button', { name: 'Save' }).click();
    await profile.getByText('Saved.').waitFor();
    await profile.getByRole('button', { name: 'Close' }).click();
    await ana.page.getByText('Ana Bell', { exact: true }).waitFor();
  });

  it('www. links are linked; a look-alike host shows where it goes; a URL with a direction override is not a link', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    const ben = await Person.signIn(browser, server, { name: 'Ben' });
    await ana.startDm(ben.phone);
    await ana.send('Docs at www.example.org/start.');
    await ana.send('Log in at https://\u0430pple.com/login');
    await ana.send('Report: https://example.com/q3-\u202Efdp.exe');
    await ben.acceptRequest('Ana');

    const www = ben.messageItems('Docs at').getByRole('link');
    expect(await www.getAttribute('href')).toBe('https://www.example.org/start');
    const spoof = ben.messageItems('Log in at').getByRole('link');
    expect(await spoof.getAttribute('href')).toBe('https://xn--pple-43d.com/login');
    expect(await spoof.innerText()).toContain('goes to xn--pple-43d.com');
    await expectEventually('the override message', () => ben.messageItems('Report:').count(), 1);
    expect(await ben.messageItems('Report:').getByRole('link').count()).toBe(0);
  });
});
