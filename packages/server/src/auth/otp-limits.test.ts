import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, onTestFinished, test, vi } from 'vitest';
import { AppError } from '../errors.js';
import { SqliteLimitStore } from '../limits/limit-store.js';
import {
  cooldownSeconds,
  MAX_COOLDOWN_SECONDS,
  OtpLimits,
  type OtpLimitOptions,
} from './otp-limits.js';
import { normalizePhone } from './phone.js';

const ROOMY: OtpLimitOptions = {
  resendCooldownSeconds: 0,
  perIpPerHour: 1000,
  perNetworkPerHour: 1000,
  newPerRangePerHour: 1000,
  newPerWideRangePerHour: 1000,
  newPerCallingCodePerHour: 1000,
  newPerHour: 1000,
  wrongCodesPerIpPerHour: 1000,
  wrongCodesPerNumberPerDay: 1000,
  lockSeconds: 3600,
};

const A = '+14152000001';
const B = '+14152000002';
const C = '+14152000003';

function limitsWith(opts: Partial<OtpLimitOptions>, file = ':memory:'): OtpLimits {
  const store = new SqliteLimitStore(file);
  onTestFinished(() => store.close());
  return new OtpLimits(store, { ...ROOMY, ...opts });
}

/** Resolves with the refusal (an AppError), or undefined when the code was charged. */
async function refusal(
  limits: OtpLimits,
  phone: string,
  ip: string,
  known = false,
): Promise<AppError | undefined> {
  try {
    await limits.consume({ phone: normalizePhone(phone), ip, known });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
}

async function expectAllowed(
  limits: OtpLimits,
  phone: string,
  ip: string,
  times = 1,
  known = false,
) {
  for (let i = 0; i < times; i++) expect(await refusal(limits, phone, ip, known)).toBeUndefined();
}

async function expectRefused(
  limits: OtpLimits,
  phone: string,
  ip: string,
  maxSeconds: number,
  known = false,
) {
  const err = await refusal(limits, phone, ip, known);
  expect(err).toBeDefined();
  expect(err!.code).toBe('RATE_LIMITED');
  expect(err!.statusCode).toBe(429);
  expect(err!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(err!.retryAfterSeconds).toBeLessThanOrEqual(maxSeconds);
  // One sentence, one wait: the client shows it as it is.
  expect(err!.message).toMatch(/^[^.]+\. Try again in \d+ (s|min|h)( \d+ min)?\.$/);
  return err!;
}

describe('OtpLimits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('per client address; an IPv6 /64 is one address', async () => {
    const limits = limitsWith({ perIpPerHour: 2 });
    await expectAllowed(limits, A, '192.0.2.1');
    await expectAllowed(limits, B, '192.0.2.1');
    await expectRefused(limits, A, '192.0.2.1', 3600);
    await expectAllowed(limits, A, '192.0.2.2');
    await expectAllowed(limits, A, '2001:db8:1:2::1');
    await expectAllowed(limits, B, '2001:db8:1:2:ffff::9');
    await expectRefused(limits, A, '2001:db8:1:2:aaaa::3', 3600);
    // IPv4-mapped IPv6 is the same IPv4 client.
    await expectRefused(limits, A, '::ffff:192.0.2.1', 3600);
  });

  test('per network: a /24 or a /48', async () => {
    const limits = limitsWith({ perNetworkPerHour: 3 });
    await expectAllowed(limits, A, '198.51.100.1');
    await expectAllowed(limits, A, '198.51.100.2');
    await expectAllowed(limits, A, '198.51.100.3');
    await expectRefused(limits, B, '198.51.100.4', 3600);
    await expectAllowed(limits, B, '198.51.101.4');
    await expectAllowed(limits, A, '2001:db8:5:1::1', 3);
    await expectRefused(limits, A, '2001:db8:5:ffff::1', 3600);
  });

  test('adjacent new numbers share a budget; known numbers are served from their own', async () => {
    const limits = limitsWith({ newPerRangePerHour: 3 });
    await expectAllowed(limits, '+14152000011', 'ip1');
    await expectAllowed(limits, '+14152000012', 'ip2');
    await expectAllowed(limits, '+14152000013', 'ip3');
    await expectRefused(limits, '+14152000014', 'ip4', 3600);
    // Another block of 100 is not affected; a number that signed in before is not held up.
    await expectAllowed(limits, '+14152000114', 'ip4');
    await expectAllowed(limits, '+14152000015', 'ip5', 1, true);
  });

  test('a walk across adjacent blocks of 100 meets the block of 10,000', async () => {
    const limits = limitsWith({ newPerRangePerHour: 2, newPerWideRangePerHour: 5 });
    // Two numbers in each of three adjacent blocks of 100, then a fourth block: 6 > 5.
    for (const block of ['20', '21', '22'])
      await expectAllowed(limits, `+1415200${block}01`, `ip-${block}`, 1);
    for (const block of ['20', '21'])
      await expectAllowed(limits, `+1415200${block}02`, `ip2-${block}`, 1);
    const err = await expectRefused(limits, '+14152002301', 'ip-23', 3600);
    expect(err.message).toMatch(/^Too many codes were sent to numbers like this one\./);
    // The next block of 10,000 is not affected; a known number is not held up.
    await expectAllowed(limits, '+14152010001', 'ip-30');
    await expectAllowed(limits, '+14152002301', 'ip-23', 1, true);
  });

  test('per calling code and server-wide, for new numbers only', async () => {
    const limits = limitsWith({ newPerCallingCodePerHour: 2, newPerHour: 3 });
    await expectAllowed(limits, '+14152000001', 'ip1');
    await expectAllowed(limits, '+12025550123', 'ip2');
    await expectRefused(limits, '+13105550123', 'ip3', 3600);
    await expectAllowed(limits, '+33612345678', 'ip4');
    await expectRefused(limits, '+4915123456789', 'ip5', 3600);
    // A flood of new numbers cannot lock out people who signed in before.
    await expectAllowed(limits, '+14152000099', 'ip6', 1, true);
  });

  test('the resend cooldown doubles with each code, up to 15 minutes, and is forgotten in a day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const limits = limitsWith({ resendCooldownSeconds: 30 });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await expectAllowed(limits, A, `ip${String(i)}`);
      const err = await expectRefused(limits, A, 'elsewhere', MAX_COOLDOWN_SECONDS);
      waits.push(err.retryAfterSeconds ?? 0);
      vi.setSystemTime(Date.now() + (err.retryAfterSeconds ?? 0) * 1000);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    // Other numbers are not held up.
    await expectAllowed(limits, B, 'ip0');
    vi.setSystemTime(Date.now() + 24 * 3600_000);
    await expectAllowed(limits, A, 'ip0');
    expect((await expectRefused(limits, A, 'ip0', 30)).retryAfterSeconds).toBe(30);
    expect(cooldownSeconds(30, 100)).toBe(MAX_COOLDOWN_SECONDS);
  });

  test('a refused request is charged to no limit', async () => {
    const limits = limitsWith({ perIpPerHour: 1, newPerRangePerHour: 2 });
    await expectAllowed(limits, A, 'ip1');
    // Refused by the IP limit: the number range is not charged…
    await expectRefused(limits, B, 'ip1', 3600);
    await expectRefused(limits, B, 'ip1', 3600);
    // …so it still has its second code.
    await expectAllowed(limits, B, 'ip2');
  });

  test('concurrent requests cannot overshoot a limit', async () => {
    const limits = limitsWith({ perIpPerHour: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refusal(limits, `+1415200${String(1000 + i)}`, 'ip1')),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
  });

  test('wrong codes past the daily cap lock the number, each one again; a lock ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const limits = limitsWith({ wrongCodesPerNumberPerDay: 3, lockSeconds: 600 });
    expect(await limits.wrongCode(A, 'ip1')).toBeUndefined();
    expect(await limits.wrongCode(A, 'ip2')).toBeUndefined();
    const lock = await limits.wrongCode(A, 'ip3');
    expect(lock?.code).toBe('OTP_NUMBER_LOCKED');
    expect(lock?.statusCode).toBe(429);
    expect(lock?.retryAfterSeconds).toBe(600);
    // While locked: no code is sent, none is checked; another number is not affected.
    const sending = await refusal(limits, A, 'ip4');
    expect(sending?.code).toBe('OTP_NUMBER_LOCKED');
    expect(sending?.retryAfterSeconds).toBeLessThanOrEqual(600);
    await expect(limits.checkVerify(A, 'ip4')).rejects.toMatchObject({ code: 'OTP_NUMBER_LOCKED' });
    await expectAllowed(limits, B, 'ip4');
    await limits.checkVerify(B, 'ip4');
    // The lock ends; the next wrong code the same day locks again at once.
    vi.setSystemTime(Date.now() + 600_000);
    await expectAllowed(limits, A, 'ip5');
    await limits.checkVerify(A, 'ip5');
    expect((await limits.wrongCode(A, 'ip5'))?.code).toBe('OTP_NUMBER_LOCKED');
    // A new day starts a new count.
    vi.setSystemTime(Date.now() + 24 * 3600_000);
    expect(await limits.wrongCode(A, 'ip6')).toBeUndefined();
  });

  test('counters survive a restart (a new store on the same file)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-limits-'));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'limits.db');
    const first = new SqliteLimitStore(file);
    const before = new OtpLimits(first, { ...ROOMY, perIpPerHour: 2 });
    await before.consume({ phone: normalizePhone(A), ip: 'ip1', known: false });
    await before.consume({ phone: normalizePhone(B), ip: 'ip1', known: false });
    first.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const after = limitsWith({ perIpPerHour: 2 }, file);
    await expectRefused(after, A, 'ip1', 3600);
  });

  test('wrong codes: ten-digit codes for a number guessed at, and a cap per address', async () => {
    const limits = limitsWith({ wrongCodesPerIpPerHour: 30 });
    expect(await limits.codeDigitsFor(A)).toBe(6);
    for (let i = 0; i < 20; i++) await limits.wrongCode(A, `198.51.100.${String(i)}`);
    expect(await limits.codeDigitsFor(A)).toBe(10);
    expect(await limits.codeDigitsFor(B)).toBe(6);
    for (let i = 0; i < 30; i++) await limits.wrongCode(B, '203.0.113.9');
    await expect(limits.checkVerify(C, '203.0.113.9')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await expect(limits.checkVerify(C, '203.0.113.10')).resolves.toBeUndefined();
  });
});
