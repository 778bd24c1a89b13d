import { CLOSE_CODES, PROTOCOL_V1 } from '@salon/protocol';
import { describe, expect, onTestFinished, test } from 'vitest';
import { CableTickets } from '../../src/cable/tickets.js';
import { SqliteLimitStore } from '../../src/limits/limit-store.js';
import { waitFor } from '../helpers/wait-for.js';
import { api, signIn, startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  cableUrl,
  connectRaw,
  newUser,
  serverSecret,
  sessionIdOf,
  ticketFor,
} from './helpers/fixtures.js';
import { RawClient, isType } from './helpers/raw-client.js';

/** Who may connect: ticket, bearer, cookie (with the Origin check), and revocation. */

const UNAUTHORIZED = '{"type":"disconnect","reason":"unauthorized","reconnect":false}';

/** Opens a socket and expects the server to refuse it with `frame` and `code`, nothing before. */
async function expectRefused(
  server: TestServer,
  options: { query?: Record<string, string>; headers?: Record<string, string> },
  frame = UNAUTHORIZED,
  code: number = CLOSE_CODES.unauthorized,
): Promise<void> {
  const client = await RawClient.open(cableUrl(server, options.query), {
    protocols: PROTOCOL_V1,
    headers: options.headers,
  });
  const closed = await client.waitClosed();
  expect(client.received.map((f) => f.raw)).toEqual([frame]);
  expect(closed.code).toBe(code);
}

describe('refused connections', () => {
  test('no credential, a bad bearer, a bad ticket: unauthorized, then close', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const ticket = await ticketFor(server, token);
    const forged = `${ticket.slice(0, ticket.indexOf('.'))}.${'A'.repeat(43)}`;
    const cases: { query?: Record<string, string>; headers?: Record<string, string> }[] = [
      {},
      { headers: { authorization: 'Bearer not-a-real-token' } },
      { headers: { authorization: `Bearer ${token}x` } },
      { headers: { authorization: `Basic ${token}` } },
      { headers: { cookie: 'salon_session=nope' } },
      { query: { ticket: 'garbage' } },
      { query: { ticket: forged } },
      { query: { ticket: `${ticket}x` } },
    ];
    for (const c of cases) await expectRefused(server, c);
    expect(server.salon.cable.registry.stats().connections).toBe(0);
  });

  test('an expired ticket: token_expired, no reconnect', async () => {
    const server = await startTestServer();
    const user = await newUser(server);
    const sessionId = await sessionIdOf(server, user.userId);
    const tickets = new CableTickets(serverSecret(server), 10, memoryLimits());
    // The same server secret, issued a minute ago with a 10 s lifetime.
    const expired = tickets.issue(sessionId, user.userId, Date.now() - 60_000);
    await expectRefused(
      server,
      { query: { ticket: expired } },
      '{"type":"disconnect","reason":"token_expired","reconnect":false}',
      CLOSE_CODES.token_expired,
    );
    // Control: the same construction, issued now, is accepted.
    const fresh = tickets.issue(sessionId, user.userId);
    const { welcome } = await connectRaw(server, { query: { ticket: fresh } });
    expect(welcome.type).toBe('welcome');
  });

  test('a ticket signed with another secret is refused', async () => {
    const server = await startTestServer();
    const user = await newUser(server);
    const sessionId = await sessionIdOf(server, user.userId);
    const foreign = new CableTickets('some other secret', 300, memoryLimits()).issue(
      sessionId,
      user.userId,
    );
    await expectRefused(server, { query: { ticket: foreign } });
  });
});

describe('accepted credentials', () => {
  test('a ticket from POST /api/cable/tickets, a bearer token', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const byTicket = await connectRaw(server, {
      query: { ticket: await ticketFor(server, token) },
    });
    expect(byTicket.welcome.raw).toBe('{"type":"welcome"}');
    const byBearer = await connectRaw(server, { token });
    expect(byBearer.welcome.raw).toBe('{"type":"welcome"}');
    // Tickets need a signed-in caller.
    expect((await api(server, 'POST', '/api/cable/tickets')).status).toBe(401);
  });

  test('the session cookie with no Origin or the server’s own; a foreign Origin is refused', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const cookie = `other=1; salon_session=${encodeURIComponent(token)}`;
    await connectRaw(server, { headers: { cookie } });
    await connectRaw(server, { headers: { cookie, origin: server.url } });
    await expectRefused(server, { headers: { cookie, origin: 'https://evil.example' } });
    await expectRefused(server, { headers: { cookie, origin: 'null' } });
    // A bearer header cannot come from another site's page, so Origin does not matter for it.
    await connectRaw(server, { token, headers: { origin: 'https://evil.example' } });
  });

  test('SALON_ALLOWED_ORIGINS admits a listed origin for the cookie, and only that one', async () => {
    const server = await startTestServer({
      env: { SALON_ALLOWED_ORIGINS: 'https://chat.example.com' },
    });
    const { token } = await newUser(server);
    const cookie = `salon_session=${token}`;
    await connectRaw(server, { headers: { cookie, origin: 'https://chat.example.com' } });
    await expectRefused(server, { headers: { cookie, origin: 'https://evil.example' } });
    await expectRefused(server, {
      headers: { cookie, origin: 'https://chat.example.com.evil.example' },
    });
  });
});

describe('review findings', () => {
  test('a ticket opens one connection: a second use is refused as expired', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const ticket = await ticketFor(server, token);
    const first = await connectRaw(server, { query: { ticket } });
    expect(first.welcome.type).toBe('welcome');
    await expectRefused(
      server,
      { query: { ticket } },
      '{"type":"disconnect","reason":"token_expired","reconnect":false}',
      CLOSE_CODES.token_expired,
    );
    // Spent for good: a restart does not bring it back.
    const again = await server.restart();
    await expectRefused(
      again,
      { query: { ticket } },
      '{"type":"disconnect","reason":"token_expired","reconnect":false}',
      CLOSE_CODES.token_expired,
    );
  });

  test('the cookie origin check compares the scheme too', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const cookie = `salon_session=${token}`;
    const https = server.url.replace('http:', 'https:');
    await expectRefused(server, { headers: { cookie, origin: https } });
    await connectRaw(server, { headers: { cookie, origin: server.url } });
  });

  test('behind a trusted TLS proxy the scheme is the forwarded one', async () => {
    const server = await startTestServer({ env: { SALON_TRUST_PROXY: 'true' } });
    const { token } = await newUser(server);
    const cookie = `salon_session=${token}`;
    const https = server.url.replace('http:', 'https:');
    await connectRaw(server, { headers: { cookie, origin: https, 'x-forwarded-proto': 'https' } });
    await expectRefused(server, {
      headers: { cookie, origin: server.url, 'x-forwarded-proto': 'https' },
    });
  });
});

describe('revocation', () => {
  test('logout closes that session’s live connections, and only those', async () => {
    const server = await startTestServer();
    const first = await signIn(server);
    const second = await signIn(server, first.phone); // same user, another device
    const ticket = await ticketFor(server, first.token);
    const viaBearer = await connectRaw(server, { token: first.token });
    const viaTicket = await connectRaw(server, { query: { ticket } });
    const otherDevice = await connectRaw(server, { token: second.token });

    expect((await api(server, 'POST', '/api/auth/logout', undefined, first.token)).status).toBe(
      204,
    );
    for (const { client } of [viaBearer, viaTicket]) {
      const disconnect = await client.nextFrame(isType('disconnect'));
      expect(disconnect.raw).toBe(UNAUTHORIZED);
      expect((await client.waitClosed()).code).toBe(CLOSE_CODES.unauthorized);
    }
    await otherDevice.client.barrier();
    expect(otherDevice.client.isOpen).toBe(true);
    await waitFor(
      'the registry to drop the closed ones',
      () => server.salon.cable.registry.stats().connections === 1,
    );

    // The revoked session's credentials no longer connect: a ticket (even an unused one, made
    // with the server's secret), the bearer token, the cookie.
    const revokedSession = (
      JSON.parse(Buffer.from(ticket.split('.')[0] ?? '', 'base64url').toString()) as { s: string }
    ).s;
    const unused = new CableTickets(serverSecret(server), 300, memoryLimits()).issue(
      revokedSession,
      first.user.id,
    );
    await expectRefused(server, { query: { ticket: unused } });
    await expectRefused(server, { headers: { authorization: `Bearer ${first.token}` } });
    await expectRefused(server, { headers: { cookie: `salon_session=${first.token}` } });
    await connectRaw(server, { query: { ticket: await ticketFor(server, second.token) } });
  });
});

/** A limit store of the test's own (tickets made here are only issued, never redeemed here). */
function memoryLimits(): SqliteLimitStore {
  const store = new SqliteLimitStore(':memory:');
  onTestFinished(() => store.close());
  return store;
}
