import type { ErrorBody } from '@salon/protocol';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { rowCounts } from './helpers/db-rows.js';
import {
  api,
  signIn,
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
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Replaces Date.now before the server starts, so that the test can move its clock on. */
  function movableClock() {
    const realNow = Date.now.bind(Date);
    const clock = { skewMs: 0 };
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + clock.skewMs);
    return clock;
  }

  test('the resend cooldown doubles with each code, and never passes 15 minutes', async () => {
    const clock = movableClock();
    const server = await startTestServer({ env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const phone = testPhone();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect((await requestCode(server, phone)).status).toBe(202);
      const again = await requestCode(server, phone);
      expectRateLimited(again, 1, 900);
      const wait = Number(again.headers.get('retry-after'));
      waits.push(wait);
      clock.skewMs += wait * 1000;
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    // Written another way, it is still the same number; another number is served at once.
    const spaced = `${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)}`;
    expect((await requestCode(server, spaced)).status).toBe(202);
    expect((await requestCode(server, testPhone())).status).toBe(202);
  });

  // Review finding 3: five requests 30 s apart locked a chosen number out for ~57 minutes.
  test('a stranger hammering a number delays its owner by at most 15 minutes', async () => {
    const clock = movableClock();
    const server = await startTestServer({
      env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '30', SALON_TRUST_PROXY: 'true' },
    });
    const victim = testPhone();
    // The attacker asks again the moment each cooldown ends, for two hours.
    while (clock.skewMs < 2 * 3600_000) {
      const res = await requestCode(server, victim, '203.0.113.66');
      if (res.status === 202) continue;
      const wait = Number(res.headers.get('retry-after'));
      expect(wait).toBeLessThanOrEqual(900);
      // The owner, trying meanwhile, waits no longer than that either.
      const owner = await requestCode(server, victim, '198.51.100.7');
      expect(owner.status).toBe(429);
      expect(Number(owner.headers.get('retry-after'))).toBeLessThanOrEqual(900);
      clock.skewMs += wait * 1000;
    }
  });

  test('concurrent requests for one number: one code, however many arrive together', async () => {
    const server = await startTestServer({ env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const phone = testPhone();
    const answers = await Promise.all(Array.from({ length: 12 }, () => requestCode(server, phone)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(11);
    expect(await smsCount(server, phone)).toBe(1);
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

  // Review finding 6: `true` trusted the left-most X-Forwarded-For entry, which the client writes.
  test('behind a proxy that appends, the client address is read from the right', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_IP_PER_HOUR: '2', SALON_TRUST_PROXY: 'true' },
    });
    const forged = (i: number) => `10.9.8.${String(i)}, 203.0.113.5`;
    expect((await requestCode(server, testPhone(), forged(1))).status).toBe(202);
    expect((await requestCode(server, testPhone(), forged(2))).status).toBe(202);
    expectRateLimited(await requestCode(server, testPhone(), forged(3)), 3500, 3600);
    // Two proxies in front: the client is the second entry from the right.
    const two = await startTestServer({
      env: { SALON_OTP_PER_IP_PER_HOUR: '1', SALON_TRUST_PROXY: '2' },
    });
    expect((await requestCode(two, testPhone(), '1.1.1.1, 203.0.113.9, 10.0.0.2')).status).toBe(
      202,
    );
    expectRateLimited(
      await requestCode(two, testPhone(), '2.2.2.2, 203.0.113.9, 10.0.0.2'),
      3500,
      3600,
    );
    expect((await requestCode(two, testPhone(), '3.3.3.3, 203.0.113.10, 10.0.0.2')).status).toBe(
      202,
    );
  });

  // Review finding 3: 1,000 requests from 50 addresses used up the server-wide cap for an hour.
  test('one network cannot use up the server-wide cap; known numbers keep their own budget', async () => {
    const server = await startTestServer({
      env: {
        SALON_TRUST_PROXY: 'true',
        SALON_OTP_PER_IP_PER_HOUR: '20',
        SALON_OTP_PER_NETWORK_PER_HOUR: '60',
        SALON_OTP_PER_HOUR: '100',
      },
    });
    const known = testPhone();
    await signIn(server, known);
    let sent = 0;
    for (let i = 0; i < 1000; i++) {
      const res = await requestCode(server, testPhone(), `203.0.113.${String(1 + (i % 50))}`);
      if (res.status === 202) sent++;
      else expect(res.status).toBe(429);
    }
    expect(sent).toBe(60);
    // Someone else, elsewhere, signs up; someone who signed in before signs in again.
    expect((await requestCode(server, testPhone(), '198.51.100.1')).status).toBe(202);
    expect((await requestCode(server, known, '198.51.100.2')).status).toBe(202);
  });

  test('SALON_OTP_PER_HOUR caps codes to new numbers only', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_PER_HOUR: '3', SALON_TRUST_PROXY: 'true' },
    });
    const known = testPhone();
    await signIn(server, known);
    for (let i = 0; i < 2; i++) {
      expect((await requestCode(server, testPhone(), `203.0.113.${String(i)}`)).status).toBe(202);
    }
    expectRateLimited(await requestCode(server, testPhone(), '198.51.100.1'), 3500, 3600);
    expect((await requestCode(server, known, '198.51.100.2')).status).toBe(202);
  });

  test('SALON_SMS_COUNTRIES refuses numbers from other countries', async () => {
    const server = await startTestServer({ env: { SALON_SMS_COUNTRIES: 'GB' } });
    const us = '+14155552671';
    const res = await requestCode(server, us);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('PHONE_COUNTRY_NOT_ALLOWED');
    expect(await smsCount(server, us)).toBe(0);
    expect(await rowCounts(server)).toMatchObject({ otp_codes: 0 });

    const gb = '+44 7400 123456';
    expect((await requestCode(server, gb)).status).toBe(202);
    expect(await smsCount(server, '+447400123456')).toBe(1);
  });

  // Review finding 4: premium-rate, toll-free and satellite numbers all got codes.
  test('SMS pumping: only mobile numbers get codes by default; a setting widens it', async () => {
    const server = await startTestServer();
    for (const number of [
      '+1 900 555 0100',
      '+1 900 555 0101',
      '+44 909 123 4567',
      '+1 800 555 0100',
      '+881 6 1234 5678',
      '+870 773 111 632',
    ]) {
      const res = await requestCode(server, number);
      expect(res.status, number).toBe(400);
      expect((res.body as ErrorBody).error.code).toBe('PHONE_TYPE_NOT_ALLOWED');
    }
    expect(await rowCounts(server)).toMatchObject({ otp_codes: 0 });
    await waitFor('the SMS queue to empty', () => server.salon.jobs.pending === 0);
    expect(server.sms.messages).toHaveLength(0);

    const wide = await startTestServer({
      env: { SALON_SMS_NUMBER_TYPES: 'mobile,fixed_line_or_mobile,premium_rate' },
    });
    expect((await requestCode(wide, '+1 900 555 0100')).status).toBe(202);
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
    expect((await requestCode(server, '+447400123456')).status).toBe(202);
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

  test("a blocked IP cannot start a victim's cooldown", async () => {
    const server = await startTestServer({
      env: {
        SALON_OTP_PER_IP_PER_HOUR: '1',
        SALON_TRUST_PROXY: 'true',
        SALON_OTP_RESEND_COOLDOWN_SECONDS: '30',
      },
    });
    const victim = testPhone();
    const attacker = '203.0.113.66';
    expect((await requestCode(server, testPhone(), attacker)).status).toBe(202);
    for (let i = 0; i < 10; i++) {
      expectRateLimited(await requestCode(server, victim, attacker), 3500, 3600);
    }
    // The victim is served at once: none of the refused requests started their cooldown.
    expect((await requestCode(server, victim, '198.51.100.1')).status).toBe(202);
    expect(await smsCount(server, victim)).toBe(1);
  });
});

// Review finding 5: limits forgot everything on restart, and wrong codes were not capped across
// codes (600 guesses a day at one number).
describe('limits survive a restart, and guessing gets nowhere', () => {
  test('a cooldown and an IP quota still hold after a restart', async () => {
    const server = await startTestServer({
      env: {
        SALON_OTP_RESEND_COOLDOWN_SECONDS: '300',
        SALON_OTP_PER_IP_PER_HOUR: '2',
        SALON_TRUST_PROXY: 'true',
      },
    });
    const phone = testPhone();
    expect((await requestCode(server, phone, '203.0.113.1')).status).toBe(202);
    expect((await requestCode(server, testPhone(), '203.0.113.1')).status).toBe(202);
    const again = await server.restart();
    expectRateLimited(await requestCode(again, phone, '198.51.100.1'), 250, 300);
    expectRateLimited(await requestCode(again, testPhone(), '203.0.113.1'), 3500, 3600);
  });

  test('a number guessed at gets ten-digit codes; its owner still signs in', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    for (let round = 0; round < 4; round++) {
      expect((await requestCode(server, phone)).status).toBe(202);
      await server.sms.nextCode(phone);
      for (let i = 0; i < 5; i++) {
        const res = await api(server, 'POST', '/api/auth/verify', { phone, code: '000000' });
        expect(res.status).toBe(400);
      }
    }
    expect((await requestCode(server, phone)).status).toBe(202);
    const code = await server.sms.nextCode(phone);
    expect(code).toMatch(/^\d{10}$/);
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code })).status).toBe(200);
  });

  test('wrong codes per address are capped across numbers', async () => {
    const server = await startTestServer({
      env: { SALON_OTP_WRONG_CODES_PER_IP_PER_HOUR: '6' },
    });
    for (let i = 0; i < 6; i++) {
      const phone = testPhone();
      expect((await requestCode(server, phone)).status).toBe(202);
      expect(
        (await api(server, 'POST', '/api/auth/verify', { phone, code: '000000' })).status,
      ).toBe(400);
    }
    const phone = testPhone();
    expect((await requestCode(server, phone)).status).toBe(202);
    const code = await server.sms.nextCode(phone);
    expectRateLimited(await api(server, 'POST', '/api/auth/verify', { phone, code }), 3500, 3600);
  });
});

describe('a number guessed at too often in a day is locked', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('locked with OTP_NUMBER_LOCKED and Retry-After, its code void; the lock ends', async () => {
    const realNow = Date.now.bind(Date);
    let skewMs = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
    const server = await startTestServer({
      env: {
        SALON_OTP_WRONG_CODES_PER_NUMBER_PER_DAY: '3',
        SALON_OTP_LOCK_SECONDS: '120',
        SALON_OTP_TTL_SECONDS: '600',
      },
    });
    const phone = testPhone();
    const verify = (code: string) => api(server, 'POST', '/api/auth/verify', { phone, code });
    const expectLocked = (res: ApiResponse, max: number) => {
      expect(res.status, JSON.stringify(res.body)).toBe(429);
      expect((res.body as ErrorBody).error.code).toBe('OTP_NUMBER_LOCKED');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(max);
    };
    expect((await requestCode(server, phone)).status).toBe(202);
    const code = await server.sms.nextCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await verify(wrong)).status).toBe(400);
    expect((await verify(wrong)).status).toBe(400);
    // The third wrong code of the day locks the number (the code had two tries left).
    expectLocked(await verify(wrong), 120);
    expectLocked(await verify(code), 120);
    expectLocked(await requestCode(server, phone), 120);
    expect(await smsCount(server, phone)).toBe(1);
    expect(await rowCounts(server)).toMatchObject({ otp_codes: 0 });
    // Another number is not held up.
    expect((await requestCode(server, testPhone())).status).toBe(202);

    // After the lock, the code sent before it is void; a new one signs the owner in.
    skewMs += 120_000;
    expect(((await verify(code)).body as ErrorBody).error.code).toBe('OTP_INVALID');
    expect((await requestCode(server, phone)).status).toBe(202);
    const fresh = await server.sms.nextCode(phone);
    expect((await verify(fresh)).status).toBe(200);

    // Past the day's cap, one more wrong code locks again at once.
    expect((await requestCode(server, phone)).status).toBe(202);
    await server.sms.nextCode(phone);
    expectLocked(await verify(wrong), 120);
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
