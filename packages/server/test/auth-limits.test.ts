import type { ErrorBody } from '@salon/protocol';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { rowCounts } from './helpers/db-rows.js';
import {
  api,
  startTestServer,
  testPhone,
  type ApiResponse,
  type TestServer,
} from './helpers/salon-server.js';
import { waitFor } from './helpers/wait-for.js';

/** Every limit on sending codes, and the rule that a refused request costs nothing. */

function requestCode(server: TestServer, phone: string, ip?: string): Promise<ApiResponse> {
  const headers: Record<string, string> = ip === undefined ? {} : { 'x-forwarded-for': ip };
  return api(server, 'POST', '/api/auth/otp', { phone }, undefined, headers);
}

/** Asserts a 429 RATE_LIMITED whose Retry-After lies in [min, max] seconds. */
function expectRateLimited(res: ApiResponse, min: number, max: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect((res.body as ErrorBody).error.code).toBe('RATE_LIMITED');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter), `Retry-After: ${String(retryAfter)}`).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(min);
  expect(retryAfter).toBeLessThanOrEqual(max);
}

/** Waits until every queued SMS has been sent, then counts those to `phone`. */
async function smsCount(server: TestServer, phone: string): Promise<number> {
  await waitFor('the SMS queue to empty', () => server.salon.jobs.pending === 0);
  return server.sms.messages.filter((m) => m.to === phone).length;
}

describe('limits on sending codes', () => {
  test('resend cooldown: a second code too soon is refused with Retry-After', async () => {
    const server = await startTestServer({ env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const phone = testPhone();
    expect((await requestCode(server, phone)).status).toBe(202);
    const again = await requestCode(server, phone);
    expectRateLimited(again, 25, 30);
    // The cooldown is per number: another one is served at once.
    expect((await requestCode(server, testPhone())).status).toBe(202);
    expect(await smsCount(server, phone)).toBe(1);
  });

  test('per number: five codes an hour', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    for (let i = 0; i < 5; i++) expect((await requestCode(server, phone)).status).toBe(202);
    expectRateLimited(await requestCode(server, phone), 3500, 3600);
    // Written another way, it is still the same number.
    const spaced = `${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)}`;
    expectRateLimited(await requestCode(server, spaced), 3500, 3600);
    expect(await smsCount(server, phone)).toBe(5);
    expect((await requestCode(server, testPhone())).status).toBe(202);
  });

  test('per number: concurrent requests do not overshoot', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    const answers = await Promise.all(Array.from({ length: 12 }, () => requestCode(server, phone)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(await smsCount(server, phone)).toBe(5);
  });

  test('per client IP, and a forged X-Forwarded-For does not get round it', async () => {
    const server = await startTestServer({ env: { SALON_OTP_PER_IP_PER_HOUR: '3' } });
    for (let i = 0; i < 3; i++) {
      expect((await requestCode(server, testPhone(), `203.0.113.${String(i)}`)).status).toBe(202);
    }
    // SALON_TRUST_PROXY is off: the header is ignored and the socket's address counts.
    expectRateLimited(await requestCode(server, testPhone(), '198.51.100.7'), 3500, 3600);
    expectRateLimited(await requestCode(server, testPhone()), 3500, 3600);
  });

  test('per client IP behind a trusted proxy: each forwarded address has its own quota', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_IP_PER_HOUR: '2', SALON_TRUST_PROXY: 'true' },
    });
    for (let i = 0; i < 2; i++) {
      expect((await requestCode(server, testPhone(), '203.0.113.1')).status).toBe(202);
    }
    expectRateLimited(await requestCode(server, testPhone(), '203.0.113.1'), 3500, 3600);
    expect((await requestCode(server, testPhone(), '203.0.113.2')).status).toBe(202);
  });

  test('for the whole server: SALON_OTP_PER_HOUR caps every number and IP together', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_HOUR: '3', SALON_TRUST_PROXY: 'true' },
    });
    for (let i = 0; i < 3; i++) {
      expect((await requestCode(server, testPhone(), `203.0.113.${String(i)}`)).status).toBe(202);
    }
    expectRateLimited(await requestCode(server, testPhone(), '198.51.100.1'), 3500, 3600);
    expect(await rowCounts(server)).toMatchObject({ otp_codes: 3 });
    await waitFor('the SMS queue to empty', () => server.salon.jobs.pending === 0);
    expect(server.sms.messages).toHaveLength(3);
  });

  test('SALON_SMS_COUNTRIES refuses numbers from other countries', async () => {
    const server = await startTestServer({ env: { SALON_SMS_COUNTRIES: 'GB' } });
    const us = '+14155552671';
    const res = await requestCode(server, us);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('PHONE_COUNTRY_NOT_ALLOWED');
    expect(await smsCount(server, us)).toBe(0);
    expect(await rowCounts(server)).toMatchObject({ otp_codes: 0 });

    const gb = '+44 20 7946 0958';
    expect((await requestCode(server, gb)).status).toBe(202);
    expect(await smsCount(server, '+442079460958')).toBe(1);
  });
});

describe('a refused request costs nothing', () => {
  test('refused countries and invalid numbers use none of the hourly quota', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_HOUR: '1', SALON_SMS_COUNTRIES: 'GB' },
    });
    for (let i = 0; i < 5; i++) {
      expect((await requestCode(server, testPhone())).status).toBe(400);
      expect((await requestCode(server, '+1 555 0100')).status).toBe(400);
    }
    expect((await requestCode(server, '+442079460958')).status).toBe(202);
  });

  test('a request refused by the cooldown uses none of the hourly quotas', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_HOUR: '2', SALON_OTP_RESEND_COOLDOWN_SECONDS: '30' },
    });
    const phone = testPhone();
    expect((await requestCode(server, phone)).status).toBe(202);
    for (let i = 0; i < 5; i++) expectRateLimited(await requestCode(server, phone), 1, 30);
    expect((await requestCode(server, testPhone())).status).toBe(202);
  });

  test("a blocked IP cannot burn a victim's per-number quota", async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_IP_PER_HOUR: '1', SALON_TRUST_PROXY: 'true' },
    });
    const victim = testPhone();
    const attacker = '203.0.113.66';
    expect((await requestCode(server, testPhone(), attacker)).status).toBe(202);
    for (let i = 0; i < 10; i++) {
      expectRateLimited(await requestCode(server, victim, attacker), 3500, 3600);
    }
    // The victim still gets all five of their codes this hour, from five networks.
    for (let i = 0; i < 5; i++) {
      expect((await requestCode(server, victim, `198.51.100.${String(i)}`)).status).toBe(202);
    }
    expect(await smsCount(server, victim)).toBe(5);
  });
});

describe('an expired code', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('is refused with OTP_EXPIRED, and removed', async () => {
    // Date.now is replaced before the server starts, so the server's clock can be moved on.
    const realNow = Date.now.bind(Date);
    let skewMs = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);

    const server = await startTestServer({ env: { SALON_OTP_TTL_SECONDS: '30' } });
    const phone = testPhone();
    expect((await requestCode(server, phone)).status).toBe(202);
    const code = await server.sms.nextCode(phone);

    skewMs = 30_001;
    const res = await api(server, 'POST', '/api/auth/verify', { phone, code });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('OTP_EXPIRED');
    expect(await rowCounts(server)).toEqual({ users: 0, sessions: 0, otp_codes: 0 });
    skewMs = 0;
    const again = await api(server, 'POST', '/api/auth/verify', { phone, code });
    expect((again.body as ErrorBody).error.code).toBe('OTP_INVALID');
  });

  test('still works just before it expires', async () => {
    const realNow = Date.now.bind(Date);
    let skewMs = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);

    const server = await startTestServer({ env: { SALON_OTP_TTL_SECONDS: '30' } });
    const phone = testPhone();
    expect((await requestCode(server, phone)).status).toBe(202);
    const code = await server.sms.nextCode(phone);
    skewMs = 25_000;
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code })).status).toBe(200);
  });
});
