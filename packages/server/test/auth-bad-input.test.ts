import type { ErrorBody } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { rowCounts } from './helpers/db-rows.js';
import {
  api,
  signIn,
  startTestServer,
  testPhone,
  type TestServer,
} from './helpers/salon-server.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * Every malformed request gets a clear 4xx with a stable code and leaves nothing behind: no user,
 * no session, no code, no SMS.
 */

interface Raw {
  status: number;
  code: string | undefined;
  contentType: string | null;
}

async function post(server: TestServer, path: string, init: RequestInit): Promise<Raw> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', ...init });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as Partial<ErrorBody>).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, contentType: res.headers.get('content-type') };
}

async function expectNothingWritten(server: TestServer): Promise<void> {
  expect(await rowCounts(server)).toEqual({ users: 0, sessions: 0, otp_codes: 0 });
  await waitFor('the job queue to empty', () => server.salon.jobs.pending === 0);
  expect(server.sms.messages).toEqual([]);
}

const json = { 'content-type': 'application/json' };
const phone = '+14155552671';

describe.each(['/api/auth/otp', '/api/auth/verify'])('POST %s refuses a malformed body', (path) => {
  const cases: [string, RequestInit, number, string][] = [
    ['invalid JSON', { headers: json, body: '{"phone": ' }, 400, 'INVALID_JSON'],
    [
      'JSON with a trailing comma',
      { headers: json, body: `{"phone":"${phone}",}` },
      400,
      'INVALID_JSON',
    ],
    ['an empty JSON body', { headers: json, body: '' }, 400, 'BAD_REQUEST'],
    ['no body at all', {}, 400, 'BAD_REQUEST'],
    ['JSON null', { headers: json, body: 'null' }, 400, 'BAD_REQUEST'],
    ['a JSON array', { headers: json, body: `["${phone}"]` }, 400, 'VALIDATION_FAILED'],
    ['a JSON string', { headers: json, body: `"${phone}"` }, 400, 'VALIDATION_FAILED'],
    ['a JSON number', { headers: json, body: '14155552671' }, 400, 'VALIDATION_FAILED'],
    ['an empty object', { headers: json, body: '{}' }, 400, 'VALIDATION_FAILED'],
    [
      'a number for the phone',
      { headers: json, body: '{"phone":14155552671}' },
      400,
      'VALIDATION_FAILED',
    ],
    ['null for the phone', { headers: json, body: '{"phone":null}' }, 400, 'VALIDATION_FAILED'],
    ['an empty phone', { headers: json, body: '{"phone":""}' }, 400, 'VALIDATION_FAILED'],
    [
      'a 65-character phone',
      { headers: json, body: JSON.stringify({ phone: `+${'1'.repeat(64)}` }) },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an extra field',
      { headers: json, body: JSON.stringify({ phone, code: '123456', admin: true }) },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a __proto__ key',
      { headers: json, body: `{"phone":"${phone}","__proto__":{"admin":true}}` },
      400,
      'INVALID_JSON',
    ],
    [
      'a form-encoded body',
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `phone=${encodeURIComponent(phone)}`,
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'an XML body',
      { headers: { 'content-type': 'application/xml' }, body: `<phone>${phone}</phone>` },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a multipart body',
      {
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: `--x\r\nContent-Disposition: form-data; name="phone"\r\n\r\n${phone}\r\n--x--\r\n`,
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    // The API reads JSON only: text/plain is refused, not parsed into a string.
    [
      'JSON sent as text/plain',
      { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ phone }) },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over 64 KiB',
      { headers: json, body: JSON.stringify({ phone, pad: 'x'.repeat(70_000) }) },
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'a text body over 64 KiB',
      { headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(70_000) },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ];

  test.each(cases)('%s', async (_label, init, status, code) => {
    const server = await startTestServer();
    const res = await post(server, path, init);
    expect(res.status).toBe(status);
    expect(res.code).toBe(code);
    expect(res.contentType).toMatch(/^application\/json/);
    await expectNothingWritten(server);
  });
});

describe('POST /api/auth/otp refuses invalid numbers', () => {
  const invalid = [
    'abc',
    'not a number',
    '+1 415 ABC DEFG',
    '+1 800 FLOWERS',
    '+1415555267a',
    // libphonenumber would find a valid number inside these; a sign-in number must be only that.
    '+14155552671x',
    'call +14155552671',
    '+1 415 555 2671 ext. 5',
    'tel:+14155552671',
    '+1415',
    '+1',
    '+',
    '   ',
    // A national number: the server cannot guess the country.
    '4155552671',
    '(415) 555-2671',
    '00 44 20 7946 0958',
    '++14155552671',
    // Well-formed but not in any assigned range.
    '+1 555 0100',
    '+1 555 010 0100',
    '+1 011 555 2671',
    '+44 20 1234',
    '+999 1234 5678',
    `+1${'4'.repeat(20)}`,
  ];

  test.each(invalid)('%j', async (input) => {
    const server = await startTestServer();
    const res = await api(server, 'POST', '/api/auth/otp', { phone: input });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('INVALID_PHONE');
    await expectNothingWritten(server);
  });
});

describe('POST /api/auth/verify refuses bad codes', () => {
  test.each(['12345', '12345678901', '12345a', ' 123456', '123 456', '١٢٣٤٥٦', '', '00000x'])(
    'a code that is not 6 to 10 digits: %j',
    async (code) => {
      const server = await startTestServer();
      const res = await api(server, 'POST', '/api/auth/verify', { phone, code });
      expect(res.status).toBe(400);
      expect((res.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
      expect((res.body as ErrorBody).error.details?.map((d) => d.path)).toEqual(['code']);
      await expectNothingWritten(server);
    },
  );

  test('a code as a number is a validation error', async () => {
    const server = await startTestServer();
    const res = await api(server, 'POST', '/api/auth/verify', { phone, code: 123456 });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
  });

  test('a missing code names the field', async () => {
    const server = await startTestServer();
    const res = await api(server, 'POST', '/api/auth/verify', { phone });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.details).toEqual([
      { path: 'code', message: expect.any(String) as string },
    ]);
  });

  test('a code for a number that never asked for one', async () => {
    const server = await startTestServer();
    const res = await api(server, 'POST', '/api/auth/verify', { phone, code: '123456' });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('OTP_INVALID');
    await expectNothingWritten(server);
  });

  test('an invalid number', async () => {
    const server = await startTestServer();
    const res = await api(server, 'POST', '/api/auth/verify', {
      phone: '+1 555 0100',
      code: '123456',
    });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('INVALID_PHONE');
    await expectNothingWritten(server);
  });

  test('a wrong code creates no user and no session', async () => {
    const server = await startTestServer();
    const who = testPhone();
    expect((await api(server, 'POST', '/api/auth/otp', { phone: who })).status).toBe(202);
    const code = await server.sms.nextCode(who);
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
    const res = await api(server, 'POST', '/api/auth/verify', { phone: who, code: wrong });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('OTP_INVALID');
    expect(await rowCounts(server)).toEqual({ users: 0, sessions: 0, otp_codes: 1 });
  });
});

describe('routes that need a session answer 401 UNAUTHORIZED', () => {
  const routes: [string, string, unknown][] = [
    ['GET', '/api/me', undefined],
    ['PATCH', '/api/me', { name: 'Mallory' }],
    ['POST', '/api/auth/logout', undefined],
  ];

  test.each(routes)('%s %s', async (method, path, body) => {
    const server = await startTestServer();
    const me = await signIn(server);
    const revoked = await signIn(server, me.phone);
    expect((await api(server, 'POST', '/api/auth/logout', undefined, revoked.token)).status).toBe(
      204,
    );
    const revokedToken = revoked.token;

    const attempts: [string, Record<string, string>][] = [
      ['no credentials', {}],
      ['a garbage bearer token', { authorization: 'Bearer not-a-real-token' }],
      ['an empty bearer token', { authorization: 'Bearer ' }],
      ['a 10 kB bearer token', { authorization: `Bearer ${'a'.repeat(10_000)}` }],
      ['another scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
      ['the token without a scheme', { authorization: me.token }],
      ['a revoked token', { authorization: `Bearer ${revokedToken}` }],
      // Cookies as a browser on the app's own page sends them: with its Origin.
      [
        'a revoked token as cookie',
        { cookie: `salon_session=${revokedToken}`, origin: server.url },
      ],
      ['a garbage cookie', { cookie: 'salon_session=garbage', origin: server.url }],
      [
        'the token in a cookie of another name',
        { cookie: `session=${me.token}`, origin: server.url },
      ],
    ];
    for (const [label, headers] of attempts) {
      const res = await api(server, method, path, body, undefined, headers);
      expect(res.status, label).toBe(401);
      expect((res.body as ErrorBody).error.code, label).toBe('UNAUTHORIZED');
    }
    // None of those changed the signed-in user.
    const user = await server.salon.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(user.name).toBeNull();
    expect((await api(server, 'GET', '/api/me', undefined, me.token)).status).toBe(200);
  });
});

test('an unknown route or method answers 404 NOT_FOUND', async () => {
  const server = await startTestServer();
  for (const [method, path] of [
    ['GET', '/api/nope'],
    ['GET', '/api/auth/otp'],
    ['DELETE', '/api/me'],
  ] as const) {
    const res = await api(server, method, path);
    expect(res.status, `${method} ${path}`).toBe(404);
    expect((res.body as ErrorBody).error.code).toBe('NOT_FOUND');
  }
});
