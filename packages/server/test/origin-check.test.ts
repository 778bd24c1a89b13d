import { CLOSE_CODES, PROTOCOL_V1, type ErrorBody } from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import { describe, expect, test } from 'vitest';
import { cableUrl, connectRaw } from './cable/helpers/fixtures.js';
import { RawClient } from './cable/helpers/raw-client.js';
import { api, signIn, startTestServer, type TestServer } from './helpers/salon-server.js';

/**
 * The Origin check (src/http/origin.ts, src/cable/cable-auth.ts) over every state-changing route
 * the server has, found from Fastify's own route table so that a route added later is covered
 * without anyone remembering to list it here.
 */

const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface Route {
  method: string;
  url: string;
}

/**
 * The routes of `app` for `method`, read from `printRoutes` (Fastify has no other public way to
 * list them): a tree, one node a line, each line indented four columns per level below the top,
 * ending in "(METHOD, …)" when a route ends there.
 */
function routesOf(app: FastifyInstance, method: string): Route[] {
  const out: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ method, commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    if ((m[3] ?? '').split(', ').includes(method)) out.push({ method, url: stack.join('') });
  }
  return out;
}

/** Every POST, PUT, PATCH and DELETE route the server answers. */
function stateChangingRoutes(server: TestServer): Route[] {
  return STATE_CHANGING.flatMap((method) => routesOf(server.salon.http, method));
}

/** What one person sees of their account: compared before and after the refused requests. */
async function snapshot(server: TestServer, token: string, roomId: string): Promise<unknown[]> {
  const paths = [
    '/api/me',
    '/api/rooms',
    '/api/blocks',
    `/api/rooms/${roomId}`,
    `/api/rooms/${roomId}/members`,
    `/api/rooms/${roomId}/messages`,
  ];
  return Promise.all(
    paths.map(async (p) => {
      const res = await api(server, 'GET', p, undefined, token);
      return [p, res.status, res.body];
    }),
  );
}

const codeOf = (body: unknown) => (body as Partial<ErrorBody> | undefined)?.error?.code;

describe('state-changing HTTP requests with the session cookie', () => {
  test('every one is refused from a foreign, a null or no Origin, changes nothing, and passes from the own', async () => {
    // Short polls: the accepted long poll below answers without holding the test up.
    const server = await startTestServer({ env: { SALON_POLL_WAIT_SECONDS: '1' } });
    const me = await signIn(server, undefined, 'Ana');
    const ben = await signIn(server, undefined, 'Ben');
    const created = await api(
      server,
      'POST',
      '/api/rooms',
      { name: 'Team', members: [ben.user.id] },
      me.token,
    );
    const roomId = (created.body as { room: { id: string } }).room.id;
    const posted = await api(
      server,
      'POST',
      `/api/rooms/${roomId}/messages`,
      { body: 'hello', client_id: 'c-1' },
      me.token,
    );
    const messageId = (posted.body as { message: { id: string } }).message.id;

    const routes = stateChangingRoutes(server);
    // The parser found the table, not nothing: a few routes every Salon has.
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'POST', url: '/api/auth/logout' },
        { method: 'PATCH', url: '/api/me' },
        { method: 'DELETE', url: '/api/rooms/:id/messages/:message_id' },
        { method: 'POST', url: '/cable/poll' },
        { method: 'POST', url: '/cable/poll/send' },
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(20);

    // A body each route would act on if it were let through, so that "changes nothing" means
    // something; a route not listed gets `{}`.
    const bodies: Record<string, unknown> = {
      'POST /api/auth/otp': { phone: me.phone },
      'POST /api/auth/verify': { phone: me.phone, code: '000000' },
      'PATCH /api/me': { name: 'Mallory' },
      'POST /api/rooms': { name: 'Evil', members: [] },
      'POST /api/dms': { user_id: ben.user.id },
      'PATCH /api/rooms/:id': { name: 'Evil' },
      'POST /api/rooms/:id/decline': { block: true },
      'POST /api/rooms/:id/members': { members: [ben.user.id] },
      'POST /api/rooms/:id/messages': { body: 'evil', client_id: 'c-evil' },
      'PATCH /api/rooms/:id/messages/:message_id': { body: 'evil' },
      'POST /api/rooms/:id/read': { seq: 1 },
      'POST /api/blocks': { user_id: ben.user.id },
      'POST /cable/poll':
        '{"command":"subscribe","identifier":"{\\"channel\\":\\"UserChannel\\"}"}',
    };
    const request = (route: Route, headers: Record<string, string>) => {
      const path = route.url
        .replace(':id', roomId)
        .replace(':message_id', messageId)
        .replace(':user_id', ben.user.id);
      const body = bodies[`${route.method} ${route.url}`] ?? {};
      return api(server, route.method, path, body, undefined, headers);
    };

    const cookie = `salon_session=${me.token}`;
    const before = await snapshot(server, me.token, roomId);
    const refusedFrom: [string, Record<string, string>][] = [
      ['a foreign Origin', { cookie, origin: 'https://evil.example' }],
      ['a null Origin (sandboxed frame, data: URL)', { cookie, origin: 'null' }],
      ['no Origin', { cookie }],
      ['no Origin, another site by fetch metadata', { cookie, 'sec-fetch-site': 'cross-site' }],
    ];
    // All at once: refused before their bodies are read, they cannot interfere with each other.
    const refusals = routes.flatMap((route) =>
      refusedFrom.map(async ([from, headers]) => {
        const res = await request(route, headers);
        return [`${route.method} ${route.url} from ${from}`, res.status, codeOf(res.body)];
      }),
    );
    for (const [what, status, code] of await Promise.all(refusals))
      expect([status, code], String(what)).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    expect(await snapshot(server, me.token, roomId)).toEqual(before);
    expect((await api(server, 'GET', '/api/me', undefined, me.token)).status).toBe(200);

    // From the app's own page the same requests get past the check (the route itself may still
    // say no, e.g. a wrong code); logout last, as it ends the session the others use.
    const own = { cookie, origin: server.url };
    const logoutLast = [...routes].sort(
      (a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'),
    );
    for (const route of logoutLast) {
      const res = await request(route, own);
      const what = `${route.method} ${route.url} from the own Origin`;
      expect(codeOf(res.body), what).not.toBe('ORIGIN_NOT_ALLOWED');
      expect(res.status, what).toBeLessThan(500);
    }
    expect((await api(server, 'GET', '/api/me', undefined, me.token)).status).toBe(401);
  });
});

describe('the WebSocket upgrade with the session cookie', () => {
  async function refused(server: TestServer, headers: Record<string, string>): Promise<void> {
    const client = await RawClient.open(cableUrl(server), { protocols: PROTOCOL_V1, headers });
    const closed = await client.waitClosed();
    expect(client.received.map((f) => f.raw)).toEqual([
      '{"type":"disconnect","reason":"unauthorized","reconnect":false}',
    ]);
    expect(closed.code).toBe(CLOSE_CODES.unauthorized);
  }

  test('refused from a foreign, a null, or no Origin with cross-site fetch metadata', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    const cookie = `salon_session=${me.token}`;
    await refused(server, { cookie, origin: 'https://evil.example' });
    await refused(server, { cookie, origin: 'null' });
    await refused(server, { cookie, 'sec-fetch-site': 'cross-site' });
    await refused(server, { cookie, 'sec-fetch-site': 'same-site' });
    // The app's own page; and a client that is no browser (no Origin, no fetch metadata).
    await connectRaw(server, { headers: { cookie, origin: server.url } });
    await connectRaw(server, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    await connectRaw(server, { headers: { cookie } });
  });
});
