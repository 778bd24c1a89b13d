import type { ErrorBody } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { cableUrl, connectRaw, newUser } from './helpers/fixtures.js';
import { PollClient } from './helpers/poll-client.js';
import { isType } from './helpers/raw-client.js';

/** Per client address: open connections (WebSocket and long polling) and connection attempts. */

interface UpgradeAnswer {
  status: number;
  retryAfter?: number;
  code?: string;
}

/** Tries one WebSocket upgrade; resolves with 101 or the refusal's status, Retry-After and code. */
function tryUpgrade(server: TestServer, headers: Record<string, string>): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cableUrl(server), 'actioncable-v1-json', { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const retry = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          ...(retry === undefined ? {} : { retryAfter: Number(retry) }),
          ...(body === '' ? {} : { code: (JSON.parse(body) as ErrorBody).error.code }),
        });
      });
    });
    ws.once('error', reject);
  });
}

describe('open connections per address', () => {
  test('past the cap, WebSocket and long polling answer 429 with Retry-After; a close frees a slot', async () => {
    const server = await startTestServer({
      env: { SALON_CABLE_MAX_CONNECTIONS_PER_IP: '2', SALON_TRUST_PROXY: 'true' },
    });
    const here = { 'x-forwarded-for': '203.0.113.7' };
    const [ana, ben] = [await newUser(server), await newUser(server)];
    // Two people behind one address: one WebSocket, one long-poll session.
    const { client: first } = await connectRaw(server, { token: ana.token, headers: here });
    const poller = new PollClient(server, { token: ben.token, headers: here });
    await poller.nextFrame(isType('welcome'));

    const refused = await tryUpgrade(server, { authorization: `Bearer ${ana.token}`, ...here });
    expect(refused).toEqual({ status: 429, retryAfter: 10, code: 'RATE_LIMITED' });
    const poll = await fetch(new URL('/cable/poll', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${ben.token}`, ...here },
      body: '',
    });
    expect(poll.status).toBe(429);
    expect(poll.headers.get('retry-after')).toBe('10');
    expect(((await poll.json()) as ErrorBody).error.code).toBe('RATE_LIMITED');
    // Another address is not held up.
    await connectRaw(server, { token: ana.token, headers: { 'x-forwarded-for': '198.51.100.9' } });

    first.close();
    await waitFor(
      'the slot to free',
      async () =>
        (await tryUpgrade(server, { authorization: `Bearer ${ana.token}`, ...here })).status ===
        101,
    );
  });
});

describe('connection attempts per address', () => {
  test('a burst of upgrades past the per-second rate is refused with 429 before authentication', async () => {
    const server = await startTestServer({
      env: { SALON_CABLE_CONNECTS_PER_IP_PER_SECOND: '3' },
    });
    // No credentials at all: the gate comes first, so refused attempts cost no session lookup.
    const answers = await Promise.all(Array.from({ length: 12 }, () => tryUpgrade(server, {})));
    const passed = answers.filter((a) => a.status === 101);
    const refused = answers.filter((a) => a.status === 429);
    // 3 a second; a (rare) stall across a window boundary could let a second window's 3 through.
    expect(passed.length).toBeGreaterThanOrEqual(3);
    expect(passed.length).toBeLessThanOrEqual(6);
    expect(refused.length).toBe(12 - passed.length);
    for (const r of refused)
      expect(r).toEqual({ status: 429, retryAfter: 1, code: 'RATE_LIMITED' });
  });
});
