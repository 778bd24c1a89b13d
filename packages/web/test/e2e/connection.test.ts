import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../../server/test/helpers/salon-server.js';
import { launchChromium } from './helpers/browser.js';
import { expectEventually } from './helpers/expect-eventually.js';
import { NetworkSwitch } from './helpers/network-switch.js';
import { Person, PHONE_VIEWPORT } from './helpers/person.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

describe('the live connection in the browser', () => {
  it('falls back to long polling when WebSockets are blocked, and still chats both ways', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    // Ben is behind something that kills every WebSocket to /cable.
    let blocked = 0;
    const ben = await Person.signIn(browser, server, {
      name: 'Ben',
      prepare: (context) =>
        context.routeWebSocket(/\/cable/, (ws) => {
          blocked++;
          return ws.close();
        }),
    });

    await expectEventually(
      "Ben's banner",
      () => ben.banner().innerText(),
      'Connected over long polling',
    );
    await expectEventually("Ana's banner (WebSocket)", () => ana.banner().innerText(), '');

    await ana.startDm(ben.phone);
    await ana.send('Can you hear me?');
    await ben.expectUnread('Ana', 1);
    await ben.acceptRequest('Ana');
    await ben.expectMessages(['Can you hear me?']);
    await ben.send('Loud and clear, over long polling');
    await ana.expectMessages(['Can you hear me?', 'Loud and clear, over long polling']);
    await ana.send('Great');
    await ben.expectMessages(['Can you hear me?', 'Loud and clear, over long polling', 'Great']);
    await expectEventually(
      'Ana to see her messages read by Ben',
      () => ana.messageItems('Great').innerText(),
      (text) => /\bRead\b/.test(text),
    );
    await expectEventually('WebSocket attempts blocked', () => blocked > 0, true);
    await expectEventually(
      "Ben's banner, still",
      () => ben.banner().innerText(),
      'Connected over long polling',
    );
  });

  it.each([
    { how: 'the socket closed', closeSockets: true },
    { how: 'the socket left half-open', closeSockets: false },
  ])(
    'goes offline ($how) and back: shows what it missed, in order, once, and sends what was typed',
    async ({ closeSockets }) => {
      const server = await startTestServer();
      const ana = await Person.signIn(browser, server, { name: 'Ana' });
      let net: NetworkSwitch | undefined;
      const ben = await Person.signIn(browser, server, {
        name: 'Ben',
        prepare: async (context) => {
          net = await NetworkSwitch.install(context);
        },
      });
      if (!net) throw new Error('the network switch was not installed');
      // Over WebSocket through the switch: the banner is empty.
      await expectEventually("Ben's banner (WebSocket)", () => ben.banner().innerText(), '');

      await ana.startDm(ben.phone);
      await ana.send('Before the tunnel');
      await ben.acceptRequest('Ana');
      await ben.expectMessages(['Before the tunnel']);

      await net.goOffline({ closeSockets });
      // A closed socket shows at once; a half-open one when the heartbeat stops (seconds).
      await expectEventually(
        "Ben's banner while offline",
        () => ben.banner().innerText(),
        (text) => /Reconnecting|Offline|Connecting/.test(text),
        20_000,
      );
      const missed = [1, 2, 3, 4, 5].map((n) => `While you were away, ${n} of 5`);
      for (const text of missed) await ana.send(text);
      await ana.expectMessages(['Before the tunnel', ...missed]);
      await ben.send('Typed in the tunnel');
      await expectEventually(
        "Ben's offline message waiting",
        () => ben.messageItems('Typed in the tunnel').innerText(),
        (text) => text.includes('Sending…'),
      );
      // Nothing of Ana's got through meanwhile.
      await ben.expectMessages(['Before the tunnel']);

      await net.goOnline();
      await expectEventually(
        "Ben's banner back online",
        () => ben.banner().innerText(),
        '',
        20_000,
      );
      const all = ['Before the tunnel', ...missed, 'Typed in the tunnel'];
      await ben.expectMessages(all);
      await ana.expectMessages(all);
      await expectEventually(
        "Ben's offline message stored",
        () => ben.messageItems('Typed in the tunnel').innerText(),
        (text) => /\b(Sent|Read)\b/.test(text),
      );
      // Still once each a moment later (a late duplicate would show up here).
      await ana.send('Welcome back');
      await ben.expectMessages([...all, 'Welcome back']);
    },
  );

  it('says "Offline" as soon as the network drops, the other side sees it, and it reconnects as soon as the network is back', async () => {
    const server = await startTestServer();
    const ana = await Person.signIn(browser, server, { name: 'Ana' });
    let net: NetworkSwitch | undefined;
    const ben = await Person.signIn(browser, server, {
      name: 'Ben',
      viewport: PHONE_VIEWPORT,
      prepare: async (context) => {
        net = await NetworkSwitch.install(context);
      },
    });
    if (!net) throw new Error('the network switch was not installed');
    await ana.startDm(ben.phone);
    // Presence shows only once Ben accepted the conversation.
    await ana.send('Are you online?');
    expect(await ana.page.locator('.conversation-title p').innerText()).toBe('Not accepted yet');
    await ben.acceptRequest('Ana');
    await ana.page.getByText('online', { exact: true }).waitFor();

    // The socket is left half-open, as a dropped Wi-Fi leaves it: only the browser knows.
    await net.goOffline({ closeSockets: false });
    await expectEventually(
      "Ben's banner",
      () => ben.banner().innerText(),
      (text) => text.startsWith('Offline'),
    );
    // The server ends a socket silent for two beats: 6 to 9 s after Ben's last byte, then the
    // presence change still has to reach Ana's page (10 s was too tight on a busy CI machine).
    await expectEventually(
      "Ana's header",
      () => ana.page.locator('.conversation-title p').innerText(),
      (text) => text.startsWith('last seen'),
      20_000,
    );
    // Long enough offline for the reconnect backoff to have grown past several seconds.
    const switched = net;
    await expectEventually('two refused reconnects', () => switched.refused >= 2, true, 30_000);
    expect(await ben.banner().innerText()).toMatch(/^Offline/);

    await net.goOnline();
    // Back at once, not after the backoff (a few seconds at most, where the backoff is longer).
    await expectEventually("Ben's banner back online", () => ben.banner().innerText(), '', 4000);
    await ana.page.getByText('online', { exact: true }).waitFor();
  }, 60_000);
});
