import type { ErrorCode } from '@salon/protocol';
import pino from 'pino';
import { describe, expect, onTestFinished, test } from 'vitest';
import { OtpLimits } from '../src/auth/otp-limits.js';
import { SqliteLimitStore } from '../src/limits/limit-store.js';
import { OtpService } from '../src/auth/otp-service.js';
import { createSmsJob } from '../src/auth/sms/sms-job.js';
import type { SmsProvider } from '../src/auth/sms/sms-provider.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { AppError } from '../src/errors.js';
import { InProcessJobQueue } from '../src/jobs/in-process-job-queue.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * OtpService on a real (in-memory) SQLite database with a clock the test moves, for what an HTTP
 * test cannot reach precisely: the exact moment a code expires.
 */

const TTL_SECONDS = 60;
const T0 = Date.UTC(2030, 0, 1);

async function setup(countries?: string[]) {
  const db: Db = await openDatabase('sqlite::memory:');
  const jobs = new InProcessJobQueue(pino({ level: 'silent' }));
  const store = new SqliteLimitStore(':memory:');
  onTestFinished(async () => {
    await jobs.drain(1000);
    await db.destroy();
    store.close();
  });
  const sent: { to: string; body: string }[] = [];
  const provider: SmsProvider = {
    name: 'memory',
    send: (to, body) => {
      sent.push({ to, body });
      return Promise.resolve();
    },
  };
  const clock = { now: T0 };
  const otp = new OtpService({
    db,
    secret: 's'.repeat(32),
    jobs,
    smsJob: createSmsJob(provider),
    limits: new OtpLimits(store, {
      resendCooldownSeconds: 0,
      perIpPerHour: 100,
      perNetworkPerHour: 100,
      newPerRangePerHour: 100,
      newPerWideRangePerHour: 100,
      newPerCallingCodePerHour: 100,
      newPerHour: 100,
      wrongCodesPerIpPerHour: 100,
      wrongCodesPerNumberPerDay: 100,
      lockSeconds: 3600,
    }),
    ttlSeconds: TTL_SECONDS,
    maxAttempts: 5,
    countries,
    numberKinds: ['mobile', 'fixed_line_or_mobile'],
    now: () => clock.now,
  });
  const codeFor = async (phone: string): Promise<string> => {
    const sms = await waitFor('an SMS', () => sent.find((s) => s.to === phone));
    sent.splice(sent.indexOf(sms), 1);
    return /\d{6,10}/.exec(sms.body)![0];
  };
  return { db, otp, clock, codeFor };
}

async function errorCodeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return (err as AppError).code;
}

const phone = '+14152000003';
const IP = '192.0.2.1';

describe('OtpService', () => {
  test('stores the expiry from its clock', async () => {
    const { db, otp } = await setup();
    await otp.request(phone, '192.0.2.1');
    const row = await db.selectFrom('otp_codes').selectAll().executeTakeFirstOrThrow();
    expect(row.created_at).toBe(T0);
    expect(row.expires_at).toBe(T0 + TTL_SECONDS * 1000);
  });

  test('a code works up to the last millisecond of its lifetime', async () => {
    const { otp, clock, codeFor } = await setup();
    await otp.request(phone, '192.0.2.1');
    const code = await codeFor(phone);
    clock.now = T0 + TTL_SECONDS * 1000 - 1;
    expect(await otp.verify(phone, code, IP)).toBe(phone);
  });

  test('at its expiry a code is refused with OTP_EXPIRED and deleted', async () => {
    const { db, otp, clock, codeFor } = await setup();
    await otp.request(phone, '192.0.2.1');
    const code = await codeFor(phone);
    clock.now = T0 + TTL_SECONDS * 1000;
    expect(await errorCodeOf(otp.verify(phone, code, IP))).toBe('OTP_EXPIRED');
    expect(await db.selectFrom('otp_codes').selectAll().execute()).toEqual([]);
    // Gone, so going back in time does not revive it.
    clock.now = T0;
    expect(await errorCodeOf(otp.verify(phone, code, IP))).toBe('OTP_INVALID');
  });

  test('an expired code answers OTP_EXPIRED even to a wrong guess', async () => {
    const { otp, clock } = await setup();
    await otp.request(phone, '192.0.2.1');
    clock.now = T0 + 3600_000;
    expect(await errorCodeOf(otp.verify(phone, '000000', IP))).toBe('OTP_EXPIRED');
  });

  test('a new request starts a new lifetime', async () => {
    const { otp, clock, codeFor } = await setup();
    await otp.request(phone, '192.0.2.1');
    await codeFor(phone);
    clock.now = T0 + 50_000;
    await otp.request(phone, '192.0.2.1');
    const code = await codeFor(phone);
    clock.now = T0 + 100_000;
    expect(await otp.verify(phone, code, IP)).toBe(phone);
  });

  test('verify accepts the number written differently from the request', async () => {
    const { otp, codeFor } = await setup();
    await otp.request('+1 (415) 200-0003', '192.0.2.1');
    const code = await codeFor(phone);
    expect(await otp.verify(' +1 415 200 0003 ', code, IP)).toBe(phone);
  });

  test('two concurrent verifies of the right code: only one signs in', async () => {
    const { otp, codeFor } = await setup();
    await otp.request(phone, '192.0.2.1');
    const code = await codeFor(phone);
    const results = await Promise.allSettled([
      otp.verify(phone, code, IP),
      otp.verify(phone, code, IP),
      otp.verify(phone, code, IP),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  test('a country outside the list is refused before any code is made', async () => {
    const { db, otp } = await setup(['CA']);
    expect(await errorCodeOf(otp.request(phone, '192.0.2.1'))).toBe('PHONE_COUNTRY_NOT_ALLOWED');
    expect(await db.selectFrom('otp_codes').selectAll().execute()).toEqual([]);
    await otp.request('+1 613 555 0100', '192.0.2.1');
  });
});
