import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { OPEN_CAP_RETRY_SECONDS } from '../../server/src/cable/ip-admission.js';
import WebSocket from 'ws';
import type { ClientMessage, Conversation, SalonClient } from '../src/index.js';
import {
  startTestServer,
  type SignedIn,
  type TestServer,
} from '../../server/test/helpers/salon-server.js';
import { clientFor, connected, person, waitFor } from './helpers/sdk.js';

/** Records the long-polling requests the SDK makes (the real fetch does the work). */
function watchPolls(): { opens: { at: number; status: number }[]; sends: number[]; stop(): void } {
  const realFetch = globalThis.fetch;
  const seen = { opens: [] as { at: number; status: number }[], sends: [] as number[] };
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    if (url.pathname === '/cable/poll/send') seen.sends.push(res.status);
    else if (url.pathname === '/cable/poll' && headers['x-salon-poll-id'] === undefined) {
      seen.opens.push({ at: Date.now(), status: res.status });
    }
    return res;
  };
  return { ...seen, stop: () => (globalThis.fetch = realFetch) };
}

/**
 * A reverse proxy in front of `target` that answers 502 to the first `/cable/poll/send` whose body
 * matches `fails` (as a balancer does when its upstream fails that one request), and forwards
 * everything else.
 */
async function proxyFailingOneSend(
  target: string,
  fails: (body: string) => boolean,
): Promise<{ url: string; failed: () => number }> {
  const upstream = new URL(target);
  let failed = 0;
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body?: Buffer): void => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    if (body === undefined) req.pipe(out);
    else out.end(body);
  };
  const proxy = http.createServer((req, res) => {
    if (req.url?.startsWith('/cable/poll/send?') !== true) return forward(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (failed === 0 && fails(body.toString('utf8'))) {
        failed++;
        res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      } else forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  );
  const { port } = proxy.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}`, failed: () => failed };
}

/** `client`'s DM with `other`, opened and loaded. */
async function loadedDm(client: SalonClient, other: SignedIn): Promise<Conversation> {
  const dm = await client.openDm({ phone: other.phone });
  const conv = client.conversation(dm.id);
  await conv.load();
  return conv;
}

/** Waits until every one of `sent` is confirmed by the server. */
async function allConfirmed(
  conv: Conversation,
  sent: readonly ClientMessage[],
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitFor(
    () =>
      sent.every((s) =>
        conv.messages.some((m) => m.client_id === s.client_id && m.status === 'sent'),
      ),
    timeoutMs,
    what,
  );
}

describe('long polling, at the limits of the server', () => {
  it('sends several long messages queued at once, none refused as too large', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const polls = watchPolls();
    try {
      const anaC = await connected(server, ana, { transports: ['long_polling'] });
      const conv = await loadedDm(anaC, ben);
      // 4,000 characters of 4 UTF-8 bytes each: four of these are more than the server's 64 KiB
      // body limit, and they queue behind the first send while it is under way.
      const bodies = Array.from({ length: 6 }, (_, i) => `${String(i)}${'😀'.repeat(3999)}`);
      const sent = bodies.map((b) => conv.send(b));
      // Well before the SDK's 15 s confirmation timeout, which is how a refused send would show.
      await allConfirmed(conv, sent, 10_000, 'all six messages confirmed');
      expect(conv.messages.filter((m) => m.status === 'failed')).toEqual([]);
      expect(polls.sends.filter((status) => status !== 204)).toEqual([]);
      expect(polls.sends.length).toBeGreaterThan(1);
    } finally {
      polls.stop();
    }
  });

  it('sends one command per request to a server whose body limit is below a batch', async () => {
    const server = await startTestServer({ env: { SALON_HTTP_BODY_LIMIT_BYTES: '4096' } });
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const polls = watchPolls();
    try {
      const anaC = await connected(server, ana, { transports: ['long_polling'] });
      const conv = await loadedDm(anaC, ben);
      const sent = Array.from({ length: 5 }, (_, i) =>
        conv.send(`${String(i)} ${'é'.repeat(1000)}`),
      );
      await allConfirmed(conv, sent, 10_000, 'all five messages confirmed');
      expect(polls.sends).toContain(413);
      expect(conv.messages.map((m) => m.body?.slice(0, 1))).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      polls.stop();
    }
  });

  it('reconnects when a send fails on the way, and the message it carried is stored once', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const proxy = await proxyFailingOneSend(server.url, (body) => body.includes('speak'));
    const anaC = await connected({ ...server, url: proxy.url }, ana, {
      transports: ['long_polling'],
    });
    const conv = await loadedDm(anaC, ben);
    await waitFor(() => anaC.status.state === 'connected');
    const pending = conv.send('through a flaky proxy');
    // The first reconnect comes 1.5 to 9 s after the failure.
    await allConfirmed(conv, [pending], 20_000, 'the message confirmed after the reconnect');
    expect(proxy.failed()).toBe(1);
    const benConv = await loadedDm(await connected(server, ben), ana);
    expect(benConv.messages.map((m) => m.body)).toEqual(['through a flaky proxy']);
  }, 30_000);

  it('sends a read mark lost on the way again after the reconnect', async () => {
    const server = await startTestServer();
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    const proxy = await proxyFailingOneSend(server.url, (body) =>
      body.includes('\\"action\\":\\"read\\"'),
    );
    const anaC = await connected({ ...server, url: proxy.url }, ana, {
      transports: ['long_polling'],
    });
    const anaConv = await loadedDm(anaC, ben);
    const benConv = await loadedDm(await connected(server, ben), ana);
    benConv.send('read me');
    await waitFor(() => anaConv.newestSeq === 1, 5000, 'the message at Ana');
    anaConv.markRead();
    await waitFor(() => proxy.failed() === 1, 5000, 'the read mark refused by the proxy');
    await waitFor(() => benConv.readUpTo(ana.user.id) === 1, 15_000, 'Ben sees it read');
  }, 30_000);

  it('waits as long as Retry-After says when the server refuses a session with 429', async () => {
    const server = await startTestServer({ env: { SALON_CABLE_MAX_CONNECTIONS_PER_IP: '1' } });
    const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
    // Ana holds this address's only connection slot.
    const anaC = await connected(server, ana);
    const polls = watchPolls();
    try {
      const benC = clientFor(server, ben, { transports: ['long_polling'] });
      benC.start();
      const refused = await waitFor(() => polls.opens.find((o) => o.status === 429), 5000);
      // The slot frees at once; a client that ignored Retry-After would be back within seconds.
      anaC.stop();
      await waitFor(
        () => benC.status.state === 'connected',
        OPEN_CAP_RETRY_SECONDS * 1000 + 15_000,
      );
      const next = polls.opens.find((o) => o.at > refused.at);
      expect(next?.status).toBe(200);
      expect(next!.at - refused.at).toBeGreaterThanOrEqual(OPEN_CAP_RETRY_SECONDS * 1000 - 100);
      expect(polls.opens.filter((o) => o.status === 429)).toHaveLength(1);
    } finally {
      polls.stop();
    }
  }, 40_000);
});

/**
 * Ana's client loses its subscribe on the way (`lose` starts her client so that it does); once
 * reconnected, what Ben does must reach her live.
 */
async function subscribesAgainAfterLosingIt(
  lose: (server: TestServer, ana: SignedIn) => Promise<SalonClient>,
): Promise<void> {
  const server = await startTestServer();
  const [ana, ben] = await Promise.all([person(server, 'Ana'), person(server, 'Ben')]);
  const anaC = await lose(server, ana);
  await waitFor(() => anaC.status.state === 'reconnecting', 5000);
  await waitFor(() => anaC.status.state === 'connected', 15_000, 'connected again');
  // Let the catch-up that follows a reconnect finish: from here on, only the live feed can
  // bring Ana what Ben does.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const benC = await connected(server, ben);
  const dm = await benC.openDm({ phone: ana.phone });
  benC.conversation(dm.id).send('are you there?');
  const room = await waitFor(
    () => anaC.rooms.find((r) => r.id === dm.id && r.last_message?.body === 'are you there?'),
    5000,
    'the DM and its message in her list, live',
  );
  expect(room.unread_count).toBe(1);
}

/** A `ws` WebSocket that drops its connection instead of sending the first subscribe. */
class DropsFirstSubscribe extends WebSocket {
  static dropped = 0;

  override send(data: unknown, ...rest: unknown[]): void {
    if (DropsFirstSubscribe.dropped === 0 && String(data).includes('"subscribe"')) {
      DropsFirstSubscribe.dropped++;
      this.terminate();
      return;
    }
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

describe('a subscribe lost on the way', () => {
  it('is made again after the reconnect, over long polling', async () => {
    await subscribesAgainAfterLosingIt(async (server, ana) => {
      const proxy = await proxyFailingOneSend(server.url, (body) => body.includes('"subscribe"'));
      const anaC = clientFor({ ...server, url: proxy.url }, ana, { transports: ['long_polling'] });
      anaC.start();
      await waitFor(() => proxy.failed() === 1, 5000, 'the subscribe refused by the proxy');
      return anaC;
    });
  }, 30_000);

  it('is made again after the reconnect, over a WebSocket', async () => {
    await subscribesAgainAfterLosingIt(async (server, ana) => {
      DropsFirstSubscribe.dropped = 0;
      const anaC = clientFor(server, ana, { WebSocket: DropsFirstSubscribe });
      anaC.start();
      await waitFor(() => DropsFirstSubscribe.dropped === 1, 5000, 'the socket dropped');
      return anaC;
    });
  }, 30_000);
});
