import { afterEach, describe, expect, test, vi } from 'vitest';
import { AppError } from '../errors.js';
import { OtpLimits, type OtpLimitOptions } from './otp-limits.js';

const ROOMY: OtpLimitOptions = {
  resendCooldownSeconds: 0,
  perPhonePerHour: 1000,
  perIpPerHour: 1000,
  perHour: 1000,
};

const A = '+14155550001';
const B = '+14155550002';

/** Resolves with the refusal (an AppError), or undefined when the code was charged. */
async function refusal(
  limits: OtpLimits,
  phone: string,
  ip: string,
): Promise<AppError | undefined> {
  try {
    await limits.consume(phone, ip);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
}

async function expectAllowed(limits: OtpLimits, phone: string, ip: string, times = 1) {
  for (let i = 0; i < times; i++) expect(await refusal(limits, phone, ip)).toBeUndefined();
}

async function expectRefused(limits: OtpLimits, phone: string, ip: string, maxSeconds: number) {
  const err = await refusal(limits, phone, ip);
  expect(err).toBeDefined();
  expect(err!.code).toBe('RATE_LIMITED');
  expect(err!.statusCode).toBe(429);
  expect(err!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(err!.retryAfterSeconds).toBeLessThanOrEqual(maxSeconds);
  expect(err!.message).toMatch(/Try again in \d+ s\.$/);
  return err!;
}

describe('OtpLimits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('per number', async () => {
    const limits = new OtpLimits({ ...ROOMY, perPhonePerHour: 3 });
    await expectAllowed(limits, A, 'ip1', 3);
    await expectRefused(limits, A, 'ip2', 3600);
    await expectAllowed(limits, B, 'ip1');
  });

  test('per IP', async () => {
    const limits = new OtpLimits({ ...ROOMY, perIpPerHour: 2 });
    await expectAllowed(limits, A, 'ip1');
    await expectAllowed(limits, B, 'ip1');
    await expectRefused(limits, '+14155550003', 'ip1', 3600);
    await expectAllowed(limits, '+14155550003', 'ip2');
  });

  test('for the whole server', async () => {
    const limits = new OtpLimits({ ...ROOMY, perHour: 2 });
    await expectAllowed(limits, A, 'ip1');
    await expectAllowed(limits, B, 'ip2');
    await expectRefused(limits, '+14155550003', 'ip3', 3600);
  });

  test('resend cooldown, and it lifts after its seconds', async () => {
    vi.useFakeTimers();
    const limits = new OtpLimits({ ...ROOMY, resendCooldownSeconds: 30 });
    await expectAllowed(limits, A, 'ip1');
    const err = await expectRefused(limits, A, 'ip1', 30);
    expect(err.retryAfterSeconds).toBe(30);
    await expectAllowed(limits, B, 'ip1');
    vi.advanceTimersByTime(29_000);
    expect((await expectRefused(limits, A, 'ip1', 30)).retryAfterSeconds).toBe(1);
    vi.advanceTimersByTime(1_001);
    await expectAllowed(limits, A, 'ip1');
  });

  test('a cooldown of 0 means none', async () => {
    const limits = new OtpLimits({ ...ROOMY, resendCooldownSeconds: 0 });
    await expectAllowed(limits, A, 'ip1', 10);
  });

  test('the hourly windows reset after an hour', async () => {
    vi.useFakeTimers();
    const limits = new OtpLimits({ ...ROOMY, perPhonePerHour: 1, perIpPerHour: 1, perHour: 1 });
    await expectAllowed(limits, A, 'ip1');
    await expectRefused(limits, A, 'ip1', 3600);
    vi.advanceTimersByTime(3600_000 + 1);
    await expectAllowed(limits, A, 'ip1');
  });

  test('Retry-After is the longest wait among the limits that refuse', async () => {
    vi.useFakeTimers();
    const limits = new OtpLimits({ ...ROOMY, perPhonePerHour: 1, resendCooldownSeconds: 30 });
    await expectAllowed(limits, A, 'ip1');
    // Both the cooldown (30 s) and the hourly cap refuse: waiting 30 s would not be enough.
    expect((await expectRefused(limits, A, 'ip1', 3600)).retryAfterSeconds).toBe(3600);
  });

  test('a refused request charges no limit', async () => {
    const limits = new OtpLimits({
      resendCooldownSeconds: 0,
      perPhonePerHour: 2,
      perIpPerHour: 1,
      perHour: 3,
    });
    await expectAllowed(limits, '+14155550009', 'attacker');
    // The attacker's IP is spent: these refusals must not charge the victim's number or the total.
    for (let i = 0; i < 20; i++) await expectRefused(limits, A, 'attacker', 3600);
    await expectAllowed(limits, A, 'ip2');
    await expectAllowed(limits, A, 'ip3');
    // Now the total is spent (3 of 3) and A is spent (2 of 2); B is refused by the total only.
    await expectRefused(limits, B, 'ip4', 3600);
  });

  test('concurrent requests cannot overshoot a limit', async () => {
    const limits = new OtpLimits({ ...ROOMY, perPhonePerHour: 5 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => refusal(limits, A, `ip${String(i)}`)),
    );
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    expect(results.filter((r) => r?.code === 'RATE_LIMITED')).toHaveLength(45);
  });

  test('a refusal does not stall the requests queued behind it', async () => {
    const limits = new OtpLimits({ ...ROOMY, perPhonePerHour: 1 });
    const results = await Promise.all([
      refusal(limits, A, 'ip1'),
      refusal(limits, A, 'ip1'),
      refusal(limits, B, 'ip1'),
    ]);
    expect(results.map((r) => r?.code)).toEqual([undefined, 'RATE_LIMITED', undefined]);
  });
});
