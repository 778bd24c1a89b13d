import { ERROR_CODES, type ErrorBody } from '@salon/protocol';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { person, type Person } from '../chat/chat-client.js';
import { createRoom } from '../cable/helpers/fixtures.js';
import { dbSnapshot, settled } from '../helpers/db-snapshot.js';
import {
  INVALID_UTF8,
  POISON_KEYS,
  deepArray,
  deepObject,
  junkValue,
  withBadBytes,
  withRawField,
  type Junk,
} from '../helpers/junk.js';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  MAY_ACCEPT,
  ROUTES,
  fillPath,
  type FieldKind,
  type Ids,
  type RouteSpec,
} from './route-inputs.js';

/**
 * Whatever a client puts in a body or a query, every route answers a 4xx with a stable code and a
 * sentence (never a 500), writes nothing when it refuses, and the server keeps serving (issue 12).
 * The routes come from Fastify itself: one that route-inputs.ts does not describe fails here.
 */

const RSS_AT_START = process.memoryUsage().rss;

interface Answer {
  status: number;
  code: string | undefined;
  message: string | undefined;
}

interface Fixture {
  server: TestServer;
  ana: Person;
  ids: Ids;
}

async function fixture(): Promise<Fixture> {
  const server = await startTestServer();
  const ana = await person(server, 'Ana');
  const ben = await person(server, 'Ben');
  // Written straight to the database: no group event for the message job to store first.
  const room = { id: await createRoom(server, [ana.id, ben.id]) };
  const sent = await api(
    server,
    'POST',
    `/api/rooms/${room.id}/messages`,
    { body: 'first', client_id: 'first' },
    ana.token,
  );
  expect(sent.status).toBe(201);
  const message = (sent.body as { message: { id: string } }).message.id;
  return { server, ana, ids: { room: room.id, message, other: ben.id } };
}

async function send(
  f: Fixture,
  route: Pick<RouteSpec, 'method'>,
  path: string,
  body: string | Buffer | undefined,
  anonymous = false,
): Promise<Answer> {
  const res = await fetch(`${f.server.url}${path}`, {
    method: route.method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(anonymous ? {} : { authorization: `Bearer ${f.ana.token}` }),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let error: Partial<ErrorBody['error']> = {};
  try {
    error = (JSON.parse(text) as Partial<ErrorBody>).error ?? {};
  } catch {
    // Not JSON (a long poll's lines, a static file): no error body to read.
  }
  return { status: res.status, code: error.code, message: error.message };
}

/** A 4xx in Salon's error shape: a code from the registry and a sentence. */
function expectRefused(answer: Answer, what: string): void {
  expect(answer.status, what).toBeGreaterThanOrEqual(400);
  expect(answer.status, what).toBeLessThan(500);
  expect(ERROR_CODES as readonly (string | undefined)[], what).toContain(answer.code);
  expect(answer.message?.length ?? 0, what).toBeGreaterThan(0);
}

/** Anything but a 5xx; a 4xx still in Salon's error shape. */
function expectNotBroken(answer: Answer, what: string): void {
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status >= 400) expectRefused(answer, what);
}

/** Sends, and checks that the refusal wrote nothing. */
async function refused(
  f: Fixture,
  route: RouteSpec,
  path: string,
  body: string | Buffer | undefined,
  what: string,
  anonymous = false,
): Promise<Answer> {
  const before = await dbSnapshot(f.server);
  const answer = await send(f, route, path, body, anonymous);
  expectRefused(answer, what);
  // Line by line, so that a failure shows the rows that changed.
  expect((await dbSnapshot(f.server)).split('\n'), `${what}: nothing written`).toEqual(
    before.split('\n'),
  );
  return answer;
}

async function stillServing(f: Fixture): Promise<void> {
  expect((await api(f.server, 'GET', '/healthz')).status).toBe(200);
  expect((await api(f.server, 'GET', '/api/me', undefined, f.ana.token)).status).toBe(200);
}

/** Whether a junk value is, after all, of the type the field takes (then it is not junk). */
function ofFieldType(kind: FieldKind, json: string): boolean {
  const value: unknown = JSON.parse(json);
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'count':
      return typeof value === 'number';
    case 'nullable_id':
      return value === null || typeof value === 'string';
    case 'id_list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    default:
      return typeof value === 'string';
  }
}

/** Method and URL of every route Fastify serves (HEAD aside), read from its route tree. */
function registeredRoutes(server: TestServer): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of server.salon.http.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    stack.length = (m[1] ?? '').length / 4;
    stack.push(m[2] ?? '');
    const joined = stack.join('');
    const url = joined.startsWith('/') ? joined : `/${joined}`;
    for (const method of (m[3] ?? '').split(', ').filter((x) => x !== '' && x !== 'HEAD'))
      routes.push(`${method} ${url}`);
  }
  return routes;
}

const key = (r: Pick<RouteSpec, 'method' | 'url'>) => `${r.method} ${r.url}`;

test('every route the server serves is described in route-inputs.ts', async () => {
  const { server } = { server: await startTestServer() };
  const registered = registeredRoutes(server);
  expect(registered.length).toBeGreaterThan(20);
  const described = new Set(ROUTES.map(key));
  expect(registered.filter((r) => !described.has(r))).toEqual([]);
  // And the table does not describe inputs of routes that no longer exist (the web app's files
  // are served only when it is built).
  const served = new Set(registered);
  expect(ROUTES.filter((r) => r.input.kind !== 'none' && !served.has(key(r))).map(key)).toEqual([]);
});

const JSON_ROUTES = ROUTES.filter((r) => r.input.kind === 'json');

/** A JSON route with its body description (narrowed for TypeScript). */
function jsonInput(route: RouteSpec) {
  if (route.input.kind !== 'json') throw new Error(`${key(route)} takes no JSON body`);
  return route.input;
}

describe('JSON bodies', () => {
  test('whole bodies that are not a JSON object of the right shape are refused', async () => {
    const f = await fixture();
    // Each route gets some of the bad byte sequences and poisoned keys, in turn: all of them are
    // sent, and every route gets both kinds, at a third of the requests (the file must stay fast).
    for (const [n, route] of JSON_ROUTES.entries()) {
      const input = jsonInput(route);
      const path = fillPath(route.url, f.ids);
      const valid = JSON.stringify(input.valid(f.ids));
      const anon = input.anonymous === true;
      const name = key(route);
      for (const bad of [0, 1].map((i) => INVALID_UTF8[(2 * n + i) % INVALID_UTF8.length]!)) {
        const what = `${name}: bytes ${bad.toString('hex')}`;
        const answer = await refused(f, route, path, withBadBytes(valid, bad), what, anon);
        expect(answer.code, what).toBe('INVALID_JSON');
      }
      for (const [what, body] of [
        ['an array 10,000 deep', deepArray()],
        ['an object 10,000 deep', deepObject()],
        ['null', 'null'],
        ['a number', '1e309'],
        ['a string', '"x"'],
        ['an array', '[]'],
        ['empty', ''],
        ['truncated', valid.slice(0, -1)],
        ['a NUL byte', `${valid}\u0000`],
      ] as const) {
        await refused(f, route, path, body, `${name}: ${what}`, anon);
      }
      const huge = await refused(
        f,
        route,
        path,
        withRawField(input.valid(f.ids), 'pad', JSON.stringify('x'.repeat(70_000))),
        `${name}: over the body limit`,
        anon,
      );
      expect(huge).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
      const values = ['{"admin":true}', '{"prototype":{"admin":true}}', '1'];
      for (const [i, k] of POISON_KEYS.entries()) {
        const value = values[(n + i) % values.length]!;
        const body = withRawField(input.valid(f.ids), k, value);
        await refused(f, route, path, body, `${name}: ${k}: ${value}`, anon);
      }
    }
    await stillServing(f);
  });

  test('junk in any field of any route is refused, writing nothing', async () => {
    const f = await fixture();
    const cases = JSON_ROUTES.flatMap((route) =>
      Object.entries(jsonInput(route).fields).map(([field, kind]) => ({ route, field, kind })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), junkValue, async (c, junk: Junk) => {
        if (junk.kind === 'wrong_type' && ofFieldType(c.kind, junk.json)) return;
        const input = jsonInput(c.route);
        const path = fillPath(c.route.url, f.ids);
        const body = withRawField(input.valid(f.ids), c.field, junk.json);
        const what = `${key(c.route)} ${c.field} = ${junk.kind} ${junk.json.slice(0, 40)}`;
        if (MAY_ACCEPT[c.kind].includes(junk.kind)) {
          const answer = await send(f, c.route, path, body, input.anonymous);
          expectNotBroken(answer, what);
          if (answer.status < 300) await settled(f.server);
        } else {
          await refused(f, c.route, path, body, what, input.anonymous);
        }
      }),
      { numRuns: 100 },
    );
    await stillServing(f);
  });
});

/** Query values: numbers that are not, text that should not be, and encodings that do not decode. */
const junkQueryValue = fc.oneof(
  fc.constantFrom(
    '',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-0',
    '18446744073709551616',
    '0x10',
    '1.5',
    '-1',
    '%ff',
    '%ED%A0%80',
    '%',
    '%zz',
    '%00',
    encodeURIComponent('a\u202Eb'),
    encodeURIComponent('a\u0007b'),
    'x'.repeat(5000),
  ),
  fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
);
const junkQueryKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'x',
  '%ff',
);

describe('queries', () => {
  test('junk queries get 200 or a clear 4xx, and write nothing', async () => {
    const f = await fixture();
    const before = await dbSnapshot(f.server);
    const cases = ROUTES.flatMap((route) =>
      route.input.kind === 'query' ? [{ route, fields: Object.keys(route.input.fields) }] : [],
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...cases)
          .chain((c) =>
            fc.tuple(
              fc.constant(c.route),
              fc.array(
                fc.tuple(fc.oneof(fc.constantFrom(...c.fields), junkQueryKey), junkQueryValue),
                { minLength: 1, maxLength: 4 },
              ),
            ),
          ),
        async ([route, pairs]) => {
          const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
          const path = `${fillPath(route.url, f.ids)}?${query}`;
          expectNotBroken(await send(f, route, path, undefined), `${key(route)}?${query}`);
        },
      ),
      { numRuns: 60 },
    );
    for (const { route } of cases) {
      const path = fillPath(route.url, f.ids);
      for (const bad of ['NaN', '1e309', '18446744073709551616', '-1', '%ff', 'x'.repeat(5000)]) {
        const answer = await send(f, route, `${path}?limit=${bad}`, undefined);
        expectRefused(answer, `${key(route)} limit=${bad.slice(0, 20)}`);
      }
      // Repeated keys arrive as an array: refused, not read as the first or the last.
      expectRefused(await send(f, route, `${path}?limit=1&limit=2`, undefined), 'limit twice');
    }
    expect(await dbSnapshot(f.server)).toBe(before);
    await stillServing(f);
  });
});

describe('routes that read no body', () => {
  test('refuse bodies that do not parse, and do nothing', async () => {
    const f = await fixture();
    for (const route of ROUTES.filter((r) => r.input.kind === 'none' && r.method !== 'GET')) {
      const path = fillPath(route.url, f.ids);
      await refused(f, route, path, '{"a":', `${key(route)} truncated`);
      await refused(
        f,
        route,
        path,
        withBadBytes('{"a":"b"}', INVALID_UTF8[0]!),
        `${key(route)} bytes`,
      );
      await refused(f, route, path, '{"__proto__":{"admin":true}}', `${key(route)} __proto__`);
    }
    await stillServing(f);
  });

  test('long polls refuse bytes that are not UTF-8; other junk lines wait for a credential', async () => {
    const f = await fixture();
    for (const route of ROUTES.filter((r) => r.input.kind === 'lines')) {
      for (const bad of INVALID_UTF8) {
        const answer = await refused(
          f,
          route,
          route.url,
          withBadBytes('{"command":"subscribe","identifier":"x"}\n', bad),
          `${route.url} bytes ${bad.toString('hex')}`,
          true,
        );
        expect(answer.code).toBe('INVALID_JSON');
      }
      for (const body of [
        deepArray(),
        deepObject(),
        '{"__proto__":{}}\n{"command":"pong"}',
        '\u0000',
      ]) {
        const answer = await send(f, route, route.url, body, true);
        // No ticket or poll id: 401 or 410 with a disconnect line, never a 5xx.
        expect([401, 410], route.url).toContain(answer.status);
      }
    }
    await stillServing(f);
  });
});

test('memory stays bounded over the whole run', () => {
  // Loose on purpose (RSS is noisy, and the worker holds other files' garbage): a leak of the
  // junk bodies themselves (tens of kB each, thousands of them) would show as far more.
  const grownMb = (process.memoryUsage().rss - RSS_AT_START) / 1024 / 1024;
  expect(grownMb).toBeLessThan(100);
});
