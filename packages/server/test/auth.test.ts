import type { ErrorBody, MeResponse, VerifyResponse } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { rowCounts } from './helpers/db-rows.js';
import {
  api,
  signIn,
  startTestServer,
  testPhone,
  type TestServer,
} from './helpers/salon-server.js';

/** The phone sign-in flow end to end, over HTTP against a real server and the Twilio fake. */

function errorCode(body: unknown): string | undefined {
  return (body as Partial<ErrorBody> | undefined)?.error?.code;
}

/** A 6-digit code guaranteed to differ from `code`. */
function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

async function requestCode(server: TestServer, phone: string): Promise<string> {
  const res = await api(server, 'POST', '/api/auth/otp', { phone });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return server.sms.nextCode(phone);
}

function sessionCookie(headers: Headers): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('salon_session='));
  if (cookie === undefined) throw new Error('no salon_session cookie was set');
  return cookie;
}

describe('phone sign-in', () => {
  test('a code arrives by SMS and signs the person in', async () => {
    const server = await startTestServer();
    const phone = '+1 (415) 200-0001';
    const e164 = '+14152000001';

    const otp = await api(server, 'POST', '/api/auth/otp', { phone });
    expect(otp.status).toBe(202);
    expect(otp.body).toEqual({ status: 'sent' });

    const sms = await server.sms.nextMessage(e164);
    expect(sms.to).toBe(e164);
    expect(sms.from).toBe('+15005550006');
    expect(sms.accountSid).toBe('ACtest');
    expect(sms.authorization).toBe(`Basic ${Buffer.from('ACtest:test-token').toString('base64')}`);
    const digits = sms.body.match(/\d{6}/g) ?? [];
    expect(digits).toHaveLength(1);
    const code = digits[0]!;
    // No other run of digits could be mistaken for the code.
    expect(sms.body.match(/\d+/g)?.filter((d) => d.length >= 4)).toEqual([code]);

    // The database keeps a keyed hash, never the code itself.
    const stored = await server.salon.db
      .selectFrom('otp_codes')
      .selectAll()
      .where('phone', '=', e164)
      .executeTakeFirstOrThrow();
    expect(stored.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.code_hash).not.toContain(code);

    const verify = await api(server, 'POST', '/api/auth/verify', { phone: e164, code });
    expect(verify.status).toBe(200);
    const body = verify.body as VerifyResponse;
    expect(body).toEqual({
      token: expect.any(String) as string,
      user: { id: expect.any(String) as string, phone: e164, name: null, group_adds: 'everyone' },
    });
    expect(body.token.length).toBeGreaterThanOrEqual(32);

    const cookie = sessionCookie(verify.headers);
    expect(cookie).toMatch(new RegExp(`^salon_session=${body.token};`));
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    // Plain HTTP: a Secure cookie would never come back.
    expect(cookie).not.toMatch(/;\s*Secure/i);
    const expires = /Expires=([^;]+)/i.exec(cookie)?.[1];
    expect(expires).toBeDefined();
    const days = (Date.parse(expires!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);

    // The code is consumed, and the session is stored only as a hash.
    expect(await rowCounts(server)).toEqual({ users: 1, sessions: 1, otp_codes: 0 });
    const session = await server.salon.db
      .selectFrom('sessions')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(session.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(session.token_hash).not.toBe(body.token);

    const byBearer = await api(server, 'GET', '/api/me', undefined, body.token);
    expect(byBearer.status).toBe(200);
    expect(byBearer.body).toEqual({ user: body.user });

    const byCookie = await api(server, 'GET', '/api/me', undefined, undefined, {
      cookie: `salon_session=${body.token}`,
    });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body).toEqual({ user: body.user });
  });

  test('a code works once', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const code = await requestCode(server, phone);
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code })).status).toBe(200);
    const again = await api(server, 'POST', '/api/auth/verify', { phone, code });
    expect(again.status).toBe(400);
    expect(errorCode(again.body)).toBe('OTP_INVALID');
    expect(await rowCounts(server)).toMatchObject({ users: 1, sessions: 1 });
  });

  test('signing in again with the same number finds the same user', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const first = await signIn(server, phone);
    const second = await signIn(server, phone);
    expect(second.user.id).toBe(first.user.id);
    expect(second.token).not.toBe(first.token);
    expect(await rowCounts(server)).toEqual({ users: 1, sessions: 2, otp_codes: 0 });
    // Both sessions live side by side.
    for (const token of [first.token, second.token]) {
      expect((await api(server, 'GET', '/api/me', undefined, token)).status).toBe(200);
    }
  });

  test('a new code replaces the old one', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const oldCode = await requestCode(server, phone);
    let newCode = await requestCode(server, phone);
    // One chance in a million that the two are equal: then the test would prove nothing.
    while (newCode === oldCode) newCode = await requestCode(server, phone);

    const old = await api(server, 'POST', '/api/auth/verify', { phone, code: oldCode });
    expect(old.status).toBe(400);
    expect(errorCode(old.body)).toBe('OTP_INVALID');
    const fresh = await api(server, 'POST', '/api/auth/verify', { phone, code: newCode });
    expect(fresh.status).toBe(200);
  });

  test('the code is bound to its number', async () => {
    const server = await startTestServer();
    const alice = testPhone();
    const bob = testPhone();
    const aliceCode = await requestCode(server, alice);
    await requestCode(server, bob);
    const res = await api(server, 'POST', '/api/auth/verify', { phone: bob, code: aliceCode });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('OTP_INVALID');
    expect(await rowCounts(server)).toMatchObject({ users: 0, sessions: 0 });
  });

  test('five wrong codes kill the code: even the right one then answers that it is used up', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const code = await requestCode(server, phone);
    const wrong = wrongCode(code);
    for (let i = 1; i <= 4; i++) {
      const res = await api(server, 'POST', '/api/auth/verify', { phone, code: wrong });
      expect(res.status).toBe(400);
      expect(errorCode(res.body), `wrong try ${String(i)}`).toBe('OTP_INVALID');
    }
    const fifth = await api(server, 'POST', '/api/auth/verify', { phone, code: wrong });
    expect(fifth.status).toBe(400);
    expect(errorCode(fifth.body)).toBe('OTP_TOO_MANY_ATTEMPTS');
    expect(await rowCounts(server)).toMatchObject({ users: 0, sessions: 0 });

    // The dead code says so, rather than "not right", until a new one is asked for.
    const right = await api(server, 'POST', '/api/auth/verify', { phone, code });
    expect(right.status).toBe(400);
    expect(errorCode(right.body)).toBe('OTP_TOO_MANY_ATTEMPTS');
    expect(await rowCounts(server)).toMatchObject({ users: 0, sessions: 0 });
    const fresh = await requestCode(server, phone);
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code: fresh })).status).toBe(
      200,
    );
  });

  test('a wrong try or four still leave the right code working', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const code = await requestCode(server, phone);
    for (let i = 0; i < 4; i++) {
      await api(server, 'POST', '/api/auth/verify', { phone, code: wrongCode(code) });
    }
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code })).status).toBe(200);
  });

  test('SALON_OTP_MAX_ATTEMPTS sets how many wrong tries kill a code', async () => {
    const server = await startTestServer({ env: { SALON_OTP_MAX_ATTEMPTS: '2' } });
    const phone = testPhone();
    const code = await requestCode(server, phone);
    const first = await api(server, 'POST', '/api/auth/verify', { phone, code: wrongCode(code) });
    expect(errorCode(first.body)).toBe('OTP_INVALID');
    const second = await api(server, 'POST', '/api/auth/verify', { phone, code: wrongCode(code) });
    expect(errorCode(second.body)).toBe('OTP_TOO_MANY_ATTEMPTS');
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code })).status).toBe(400);
  });
});

describe('PATCH /api/me', () => {
  async function rename(server: TestServer, token: string, name: unknown) {
    return api(server, 'PATCH', '/api/me', { name }, token);
  }

  test('sets the name, trimmed, and /api/me shows it', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    const res = await rename(server, me.token, '  Ada Lovelace \n');
    expect(res.status).toBe(200);
    expect((res.body as MeResponse).user).toEqual({ ...me.user, name: 'Ada Lovelace' });
    const get = await api(server, 'GET', '/api/me', undefined, me.token);
    expect((get.body as MeResponse).user.name).toBe('Ada Lovelace');
  });

  test('counts visible characters: 64 is the most', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    // A family emoji is 11 UTF-16 units but one character for a person.
    const family = '👨‍👩‍👧‍👦';
    for (const name of ['A', 'x'.repeat(64), family.repeat(64), 'Zoë', 'José 🇪🇸']) {
      const res = await rename(server, me.token, name);
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(200);
      expect((res.body as MeResponse).user.name).toBe(name);
    }
  });

  test('refuses empty, blank, too long and control characters, and keeps the old name', async () => {
    const server = await startTestServer();
    const me = await signIn(server, testPhone(), 'Grace');
    const bad: unknown[] = [
      '',
      '   ',
      '\t\n',
      'x'.repeat(65),
      '👍'.repeat(65),
      'Grace\u0007',
      'Gr\u0000ace',
      'Gra\nce',
      'abc\u202Edef',
      '\u2060',
      '\u3164',
      '\u0301',
      'x'.repeat(2000),
      42,
      null,
      ['Grace'],
    ];
    for (const name of bad) {
      const res = await rename(server, me.token, name);
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(errorCode(res.body), JSON.stringify(name)).toBe('VALIDATION_FAILED');
      const details = (res.body as ErrorBody).error.details;
      expect(details?.[0]?.path, JSON.stringify(name)).toBe('name');
    }
    const user = await server.salon.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(user.name).toBe('Grace');
  });

  test('refuses a missing name and unknown fields', async () => {
    const server = await startTestServer();
    const me = await signIn(server, testPhone(), 'Grace');
    for (const body of [{}, { name: 'Ok', phone: '+14155552671' }, { display_name: 'x' }]) {
      const res = await api(server, 'PATCH', '/api/me', body, me.token);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(res.body)).toBe('VALIDATION_FAILED');
    }
    const get = await api(server, 'GET', '/api/me', undefined, me.token);
    expect(get.body).toEqual({ user: { ...me.user, name: 'Grace' } });
  });
});

describe('logout', () => {
  test('ends the session at once, for bearer and cookie alike', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const me = await signIn(server, phone);
    const other = await signIn(server, phone);

    const res = await api(server, 'POST', '/api/auth/logout', undefined, me.token);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    // The cookie is cleared too.
    const cleared = sessionCookie(res.headers);
    expect(cleared).toMatch(/^salon_session=;/);
    expect(Date.parse(/Expires=([^;]+)/i.exec(cleared)?.[1] ?? '')).toBeLessThan(Date.now());

    for (const headers of <Record<string, string>[]>[
      { authorization: `Bearer ${me.token}` },
      { cookie: `salon_session=${me.token}` },
    ]) {
      const after = await api(server, 'GET', '/api/me', undefined, undefined, headers);
      expect(after.status).toBe(401);
      expect(errorCode(after.body)).toBe('UNAUTHORIZED');
    }
    const again = await api(server, 'POST', '/api/auth/logout', undefined, me.token);
    expect(again.status).toBe(401);

    // Only that session ended: the same person's other sign-in still works.
    expect((await api(server, 'GET', '/api/me', undefined, other.token)).status).toBe(200);
  });

  test('works with the cookie alone', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    // As the browser sends it from the app's own page: with its Origin.
    const cookie = { cookie: `salon_session=${me.token}`, origin: server.url };
    const res = await api(server, 'POST', '/api/auth/logout', undefined, undefined, cookie);
    expect(res.status).toBe(204);
    expect((await api(server, 'GET', '/api/me', undefined, me.token)).status).toBe(401);
  });
});

test('GET /healthz answers ok', async () => {
  const server = await startTestServer();
  const res = await api(server, 'GET', '/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok' });
});
