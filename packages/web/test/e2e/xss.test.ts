import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  signIn,
  startTestServer,
  type TestServer,
} from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { Person } from './helpers/person.js';
import { installScriptTraps, type ScriptTraps } from './helpers/script-traps.js';
import {
  ALL_PAYLOADS,
  BODY_PAYLOADS,
  COMPOSER_PAYLOADS,
  NAME_PAYLOADS,
  ROOM_NAME_PAYLOADS,
  type XssPayload,
} from './helpers/xss-corpus.js';

/**
 * Other people's words in the web app are text, never code (issue 12): the corpus in
 * helpers/xss-corpus.ts goes into message bodies, display names and group names, and the page
 * must show each as typed while no script runs, no dialog opens and the Content-Security-Policy
 * never has to step in (a violation would mean markup got in, even if it was then stopped).
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

/** "payload 12" as "payload 12 (a details ontoggle)", for the failure message. */
function withLabel(fired: string): string {
  const id = /^payload (\d+)$/.exec(fired)?.[1];
  const payload = id === undefined ? undefined : ALL_PAYLOADS.get(Number(id));
  return payload ? `${fired} (${payload.label})` : fired;
}

/** As the server stores it (NFC, trimmed) and as innerText may lay out white space. */
const shown = (text: string) => text.normalize('NFC').trim().replace(/\s+/g, ' ');

/** The payloads whose text `where` does not show (as `shown` sees it), by label. */
async function missing(where: Locator, payloads: readonly XssPayload[]): Promise<string[]> {
  const text = shown(await where.innerText());
  return payloads.filter((p) => !text.includes(shown(p.text))).map((p) => p.label);
}

/**
 * What of the page could run script: event-handler attributes, links and sources with other
 * schemes than http(s), inline scripts, frames, plugins, a <base>. The app makes none of these.
 */
const DANGEROUS_DOM = `(() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push(el.tagName + ' ' + attr.name);
      if (/^(href|src|action|formaction|data|xlink:href)$/i.test(attr.name)) {
        const url = new URL(attr.value, location.href);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') found.push(el.tagName + ' ' + attr.name + '=' + attr.value);
      }
    }
  }
  for (const el of document.querySelectorAll('script:not([src]), iframe, frame, object, embed, base, meta[http-equiv]'))
    found.push(el.outerHTML.slice(0, 80));
  return found;
})()`;

/** Posts `texts` to a room over the API, all at once (their order does not matter here). */
async function postAs(server: TestServer, token: string, roomId: string, texts: string[]) {
  await Promise.all(
    texts.map(async (body, i) => {
      const res = await api(
        server,
        'POST',
        `/api/rooms/${roomId}/messages`,
        { body, client_id: `xss-${String(i)}` },
        token,
      );
      expect(res.status, body.slice(0, 60)).toBe(201);
    }),
  );
}

async function createGroup(server: TestServer, token: string, name: string, members: string[]) {
  const res = await api(server, 'POST', '/api/rooms', { name, members }, token);
  expect(res.status, name).toBe(201);
  return (res.body as { room: { id: string } }).room.id;
}

describe('other people’s words are shown as text', () => {
  it('bodies, names and group names from the corpus: all visible as typed, no script runs', async () => {
    const server = await startTestServer();
    let traps: ScriptTraps | undefined;
    const vera = await Person.signIn(browser, server, {
      name: 'Vera',
      prepare: async (context) => {
        traps = await installScriptTraps(context);
      },
    });
    if (!traps) throw new Error('traps not installed');

    // The attackers work over the API: Mallory's bodies, one account per name payload.
    const mallory = await signIn(server, undefined, 'Mallory');
    const named = await Promise.all(NAME_PAYLOADS.map((p) => signIn(server, undefined, p.text)));
    const bodies = await createGroup(server, mallory.token, 'Bodies', [vera.phone]);
    await postAs(
      server,
      mallory.token,
      bodies,
      BODY_PAYLOADS.map((p) => p.text),
    );
    const names = await createGroup(server, mallory.token, 'Names', [
      vera.phone,
      ...named.map((n) => n.user.id),
    ]);
    await Promise.all(named.map((n) => postAs(server, n.token, names, ['hello'])));
    await Promise.all(
      ROOM_NAME_PAYLOADS.map((p) => createGroup(server, mallory.token, p.text, [vera.phone])),
    );

    // Group names, in the list and in each conversation's header.
    await expectEventually(
      'the list to show every group name',
      () => missing(vera.conversationList(), ROOM_NAME_PAYLOADS),
      [],
    );
    for (const p of ROOM_NAME_PAYLOADS) {
      await vera.openConversation(p.text);
      await vera.page.getByRole('heading', { name: p.text, exact: true }).waitFor();
    }

    // Bodies, including the ones the link maker turns (partly) into links.
    await vera.openConversation('Bodies');
    await expectEventually(
      'the log to show every body',
      () => missing(vera.log(), BODY_PAYLOADS),
      [],
    );

    // Names beside their messages; and a few bodies typed through the composer.
    await vera.openConversation('Names');
    for (const p of COMPOSER_PAYLOADS) await vera.send(p.text);
    await expectEventually(
      'the log to show every name and every typed body',
      () => missing(vera.log(), [...NAME_PAYLOADS, ...COMPOSER_PAYLOADS]),
      [],
    );

    // The member list, open while the page is searched below.
    await vera.page.getByRole('button', { name: 'Group settings' }).click();
    const members = vera.page.getByRole('dialog', { name: /^(Details|Group settings)$/ });
    await expectEventually(
      'the member list to show every name',
      () => missing(members, NAME_PAYLOADS),
      [],
    );

    expect(await vera.page.evaluate(DANGEROUS_DOM)).toEqual([]);
    expect(traps.fired.map(withLabel)).toEqual([]);
    expect(traps.violations).toEqual([]);
    expect(traps.cspConsole).toEqual([]);

    // The session cookie is SameSite=Strict: a link from another site still opens the app signed
    // in, since the page's own requests are same-site whoever linked to it.
    await vera.page.goto(`data:text/html,<a href="${server.url}/">Salon</a>`);
    await vera.page.getByRole('link', { name: 'Salon' }).click();
    await vera.page.getByRole('button', { name: 'New message' }).waitFor();
  });
});

describe('the Content-Security-Policy in Chromium', () => {
  it('blocks an injected inline script, eval, a handler attribute and framing', async () => {
    const server = await startTestServer();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // Opened before the traps, which count any later window as a popup.
      const framer = await context.newPage();
      const traps = await installScriptTraps(context);
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Send code' }).waitFor();
      expect(traps.violations).toEqual([]);
      // The trap itself: a call from the page is seen (a silent trap would prove nothing).
      await page.evaluate('__xss(0)');
      await expectEventually('the sink to report a call', () => traps.fired, ['payload 0']);
      traps.fired.splice(0);

      // What an injection that got past React would try; each must be stopped by the policy.
      // The eval runs from a timer: code that Playwright evaluates is let through by DevTools.
      const evalOutcome = await page.evaluate(`(() => {
        const script = document.createElement('script');
        script.textContent = '__xss(901)';
        document.body.append(script);
        const img = document.createElement('img');
        img.setAttribute('onerror', '__xss(902)');
        img.src = 'data:,not-an-image';
        document.body.append(img);
        return new Promise((resolve) => setTimeout(() => {
          try { eval('__xss(903)'); resolve('ran'); } catch (err) { resolve(err.name); }
        }));
      })()`);
      expect(evalOutcome).toBe('EvalError');
      await expectEventually(
        'the policy to report the inline script, the handler and eval',
        () => traps.violations.map((v) => v.split(' ')[0]).sort(),
        ['script-src-attr', 'script-src-elem', 'script-src'].sort(),
      );

      // Clickjacking: no page may frame the app (frame-ancestors 'none').
      await framer.setContent(`<iframe src="${server.url}/"></iframe>`);
      await expectEventually(
        'Chromium to refuse to frame the app',
        () => traps.cspConsole.some((line) => line.includes("frame-ancestors 'none'")),
        true,
      );
      expect(traps.fired).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
