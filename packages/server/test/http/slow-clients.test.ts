import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Header floods and slow clients (slowloris), on plain HTTP and on the WebSocket upgrade, which
 * goes through the same Node HTTP parser before Salon sees it. The server here runs with short
 * timeouts (1 s for headers, 2 s for a whole request); the defaults are 15 s and 30 s.
 */

const SHORT = {
  SALON_HTTP_HEADERS_TIMEOUT_SECONDS: '1',
  SALON_HTTP_REQUEST_TIMEOUT_SECONDS: '2',
};

/** A raw TCP client that records what comes back and when the server hangs up. */
class Peer {
  received = '';
  closed = false;
  readonly socket: net.Socket;
  #drip: NodeJS.Timeout | undefined;

  constructor(server: TestServer) {
    this.socket = net.connect(server.port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => (this.received += d));
    this.socket.on('close', () => {
      this.closed = true;
      clearInterval(this.#drip);
    });
    this.socket.on('error', () => undefined);
  }

  /** Sends `text` one byte every `everyMs`; returns how many bytes went out (read at the end). */
  drip(text: string, everyMs = 100): { sent: () => number } {
    let i = 0;
    this.#drip = setInterval(() => {
      if (i < text.length && !this.closed) this.socket.write(text.charAt(i++));
    }, everyMs);
    return { sent: () => i };
  }

  get status(): number | undefined {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
    return m ? Number(m[1]) : undefined;
  }

  async cutOff(timeoutMs = 10_000): Promise<void> {
    await waitFor('the server to cut the connection', () => this.closed, timeoutMs);
  }

  destroy(): void {
    clearInterval(this.#drip);
    this.socket.destroy();
  }
}

const UPGRADE_HEAD = [
  'GET /cable HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Protocol: actioncable-v1-json',
].join('\r\n');
const HTTP_HEAD = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1';

async function openConnections(server: TestServer): Promise<number> {
  return new Promise((resolve, reject) =>
    server.salon.http.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
  );
}

describe.each([
  ['HTTP', HTTP_HEAD],
  ['the WebSocket upgrade', UPGRADE_HEAD],
])('%s', (_what, head) => {
  test('one huge header, or thousands of small ones: 431, connection closed', async () => {
    const server = await startTestServer();
    for (const headers of [
      `X-Big: ${'b'.repeat(20_000)}`,
      Array.from({ length: 3000 }, (_, i) => `X-H${String(i)}: v`).join('\r\n'),
    ]) {
      const peer = new Peer(server);
      peer.socket.write(`${head}\r\n${headers}\r\n\r\n`);
      await peer.cutOff();
      expect(peer.status).toBe(431);
    }
    expect((await api(server, 'GET', '/healthz')).status).toBe(200);
  });

  test('headers sent a byte at a time are cut off at the headers timeout', async () => {
    const server = await startTestServer({ env: SHORT });
    const peer = new Peer(server);
    const drip = peer.drip(`${head}\r\nX-Slow: ${'s'.repeat(500)}\r\n\r\n`);
    await peer.cutOff();
    // Still dripping when it was cut: it never got to finish its headers.
    expect(drip.sent()).toBeLessThan(head.length + 500);
    expect([undefined, 408]).toContain(peer.status);
    expect((await api(server, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('slow and half-open clients', () => {
  test('a body sent a byte at a time is cut off at the request timeout', async () => {
    const server = await startTestServer({ env: SHORT });
    const peer = new Peer(server);
    const body = JSON.stringify({ phone: `+1415${'5'.repeat(1000)}` });
    peer.socket.write(
      `POST /api/auth/otp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${String(body.length)}\r\n\r\n`,
    );
    const drip = peer.drip(body);
    await peer.cutOff();
    expect(drip.sent()).toBeLessThan(body.length);
    expect([undefined, 408]).toContain(peer.status);
  });

  test('many half-open connections from one address are all closed; others are served meanwhile', async () => {
    const server = await startTestServer({ env: SHORT });
    const before = await openConnections(server);
    // Half a request line, half an upgrade, or nothing at all: each waits for the rest.
    const peers = Array.from({ length: 60 }, (_, i) => {
      const peer = new Peer(server);
      if (i % 3 === 0) peer.socket.write('GET /api/me HTTP/1.1\r\nHost: 127');
      if (i % 3 === 1) peer.socket.write(`${UPGRADE_HEAD}\r\n`);
      return peer;
    });
    await waitFor(
      'the connections to open',
      async () => (await openConnections(server)) >= before + 60,
    );
    // Asked without keep-alive, so that the count below can come back to where it started.
    const other = new Peer(server);
    other.socket.write(`${HTTP_HEAD}\r\nConnection: close\r\n\r\n`);
    await other.cutOff();
    expect(other.status).toBe(200);
    for (const peer of peers) await peer.cutOff();
    await waitFor(
      'the server to hold none of them',
      async () => (await openConnections(server)) <= before,
    );
  });
});
