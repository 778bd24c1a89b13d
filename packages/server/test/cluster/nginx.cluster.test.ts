import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { SalonClient, type TransportName } from '../../../client/src/index.js';
import { launchChromium } from '../../../web/test/e2e/helpers/browser.js';
import { expectEventually } from '../../../web/test/e2e/helpers/expect-eventually.js';
import { Person } from '../../../web/test/e2e/helpers/person.js';
import { api, signIn, type SignedIn } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { TestCluster, type ClusterNode } from './helpers/cluster.js';
import { startNginx, type Balancer } from './helpers/nginx.js';

/** Three nodes behind Debian's nginx with the committed sample configuration. */
let cluster: TestCluster;
let balancer: Balancer;
let browser: Browser;
/** What the setup started, so that a setup failing half-way closes only that (and keeps its error). */
const started: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start(3, { env: { SALON_TRUST_PROXY: '127.0.0.1' } });
  started.push(cluster);
  balancer = await startNginx(cluster.nodes);
  started.push(balancer);
  browser = await launchChromium();
  started.push(browser);
});

afterAll(async () => {
  for (const part of started.reverse()) await part.close();
});

/** What the browser helpers need: the balancer's address and the cluster's SMS fake. */
const site = () => ({ url: balancer.url, sms: cluster.sms });

describe('three nodes behind nginx', () => {
  test('the web app in Chromium: one person over WebSocket, one with WebSocket blocked (long polling)', async () => {
    const ana = await Person.signIn(browser, site(), { name: 'Ana' });
    let blocked = 0;
    const ben = await Person.signIn(browser, site(), {
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
    await ana.send('Through nginx?');
    // A first message from a stranger is a request: Ben opens it and accepts, as a person would.
    await ben.request('Ana').waitFor();
    await ben.openRequest('Ana');
    await ben.expectMessages(['Through nginx?']);
    await ben.acceptRequest('Ana');
    await ben.send('Yes, long polling, pinned to my node');
    await ana.expectMessages(['Through nginx?', 'Yes, long polling, pinned to my node']);
    await ana.send('And typing?');
    await ben.expectMessages([
      'Through nginx?',
      'Yes, long polling, pinned to my node',
      'And typing?',
    ]);
    expect(blocked).toBeGreaterThan(0);
  });

  test('kill -9 of a node under load: every acknowledged message stored once, every client holds all, in order', async () => {
    const transports: TransportName[] = ['websocket', 'websocket', 'websocket', 'long_polling'];
    const people: SignedIn[] = [];
    for (let i = 0; i < transports.length; i++)
      people.push(await signIn(site(), undefined, `Sender ${String(i)}`));
    const [owner] = people as [SignedIn];
    const created = await api(
      site(),
      'POST',
      '/api/rooms',
      { name: 'Load', members: people.slice(1).map((p) => p.user.id) },
      owner.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const roomId = (created.body as { room: { id: string } }).room.id;

    const clients = await Promise.all(
      people.map(async (who, i) => {
        const client = new SalonClient({
          baseUrl: balancer.url,
          token: who.token,
          WebSocket,
          transports: [transports[i] ?? 'websocket'],
        });
        onTestFinished(() => client.stop());
        await client.loadMe();
        client.start();
        await waitFor(`${who.phone} connected`, () => client.status.state === 'connected', 10_000);
        const conv = client.conversation(roomId);
        await conv.load();
        return { client, conv };
      }),
    );

    const perSender = 30;
    const killAt = 10;
    const victim = cluster.nodes[1] as ClusterNode;
    // The balancer spread the clients: the node about to die holds some of them.
    const onVictim = await cluster.redis().hlen(`${cluster.prefix}conns:${victim.name}`);
    expect(onVictim).toBeGreaterThan(0);
    const where: Record<string, string[]> = {};
    for (const n of cluster.nodes)
      where[n.name] = (await cluster.redis().hkeys(`${cluster.prefix}conns:${n.name}`)).map((u) =>
        people.findIndex((p) => p.user.id === u).toString(),
      );
    const sent: string[] = [];
    for (let i = 0; i < perSender; i++) {
      for (const [n, { conv }] of clients.entries())
        sent.push(conv.send(`s${String(n)} m${String(i)}`).client_id);
      if (i === killAt) await victim.kill('SIGKILL');
      // Steady load, not one burst: a few frames per client every 30 ms.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const total = perSender * clients.length;
    for (const { client, conv } of clients)
      await waitFor(
        `${client.me?.name ?? '?'} holds all ${String(total)} messages, all sent`,
        () =>
          conv.messages.filter((m) => m.kind === 'text').length === total &&
          conv.messages.every((m) => m.status === 'sent'),
        60_000,
        50,
      ).catch((err: unknown) => {
        // What the client holds, to tell a lost message from a stuck connection.
        const texts = conv.messages.filter((m) => m.kind === 'text');
        const statuses = texts.reduce<Record<string, number>>((acc, m) => {
          acc[m.status] = (acc[m.status] ?? 0) + 1;
          return acc;
        }, {});
        const problems = cluster.nodes
          .flatMap((n) =>
            n
              .output()
              .split('\n')
              .filter((l) => /"level":(40|50|60)/.test(l))
              .map((l) => `${n.name}: ${l.slice(0, 300)}`),
          )
          .slice(0, 20);
        const seqs = texts.map((m) => m.seq);
        throw new Error(
          `where ${JSON.stringify(where)} seqs ${JSON.stringify(seqs)}; ${String(err)}; status ${JSON.stringify(client.status)}; holds ${String(texts.length)} ${JSON.stringify(statuses)}; node warnings:\n${problems.join('\n')}`,
          { cause: err },
        );
      });

    const res = await api(
      site(),
      'GET',
      `/api/rooms/${roomId}/messages?limit=200`,
      undefined,
      owner.token,
    );
    const stored = (
      res.body as { messages: { seq: number; client_id: string; kind: string }[] }
    ).messages.filter((m) => m.kind === 'text');
    // Each message stored exactly once, under the client_id it was sent with.
    expect(stored).toHaveLength(total);
    expect(new Set(stored.map((m) => m.client_id))).toEqual(new Set(sent));
    const storedSeqs = stored.map((m) => m.seq);
    for (const { conv } of clients)
      expect(conv.messages.filter((m) => m.kind === 'text').map((m) => m.seq)).toEqual(storedSeqs);
  });
});
