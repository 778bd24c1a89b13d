import { AppError } from '../errors.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Job } from '../jobs/job-queue.js';
import type { OtpLimits } from './otp-limits.js';
import {
  assertCountryAllowed,
  assertKindAllowed,
  normalizePhone,
  type SmsNumberKind,
} from './phone.js';
import { digestsEqual, generateOtp, hashOtp } from './secrets.js';
import type { SmsPayload } from './sms/sms-job.js';

export interface OtpServiceOptions {
  db: Db;
  secret: string;
  jobs: JobQueue;
  smsJob: Job<SmsPayload>;
  limits: OtpLimits;
  ttlSeconds: number;
  maxAttempts: number;
  /** ISO codes whose numbers may receive codes; undefined allows all. */
  countries: readonly string[] | undefined;
  /** Kinds of numbers that may receive codes (mobile… see phone.ts). */
  numberKinds: readonly SmsNumberKind[];
  now?: () => number;
}

/** One-time codes: made, stored as keyed hashes, sent by SMS, checked and consumed once. */
export class OtpService {
  readonly #o: OtpServiceOptions;
  readonly #now: () => number;

  constructor(options: OtpServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Makes and sends a new code for `phoneInput`, replacing any earlier one. */
  async request(phoneInput: string, clientIp: string): Promise<void> {
    const phone = normalizePhone(phoneInput);
    assertCountryAllowed(phone, this.#o.countries);
    assertKindAllowed(phone, this.#o.numberKinds);
    const user = await this.#o.db
      .selectFrom('users')
      .select('signed_in_at')
      .where('phone', '=', phone.e164)
      .executeTakeFirst();
    await this.#o.limits.consume({
      phone,
      ip: clientIp,
      known: user?.signed_in_at !== undefined && user.signed_in_at !== null,
    });

    const code = generateOtp(await this.#o.limits.codeDigitsFor(phone.e164));
    const now = this.#now();
    const row = {
      phone: phone.e164,
      code_hash: hashOtp(this.#o.secret, phone.e164, code),
      created_at: now,
      expires_at: now + this.#o.ttlSeconds * 1000,
      attempts: 0,
    };
    await this.#o.db
      .insertInto('otp_codes')
      .values(row)
      .onConflict((oc) => oc.column('phone').doUpdateSet(row))
      .execute();
    try {
      this.#o.jobs.enqueue(this.#o.smsJob, {
        to: phone.e164,
        body: smsText(code, this.#o.ttlSeconds),
      });
    } catch (err) {
      // No SMS will carry this code: remove it rather than leave a code nobody can receive.
      await this.#o.db
        .deleteFrom('otp_codes')
        .where('phone', '=', phone.e164)
        .where('code_hash', '=', row.code_hash)
        .execute();
      throw err;
    }
  }

  /**
   * Checks `code` for `phoneInput` and consumes it. Returns the E.164 number on success.
   * Wrong codes count against the code's tries and against the number and the client's address
   * (otp-limits.ts); a code that ran out of tries stays dead, and says so, until a new one. Too
   * many wrong codes for a number in a day lock it (OTP_NUMBER_LOCKED) and void its code.
   */
  async verify(phoneInput: string, code: string, clientIp: string): Promise<string> {
    const phone = normalizePhone(phoneInput).e164;
    await this.#o.limits.checkVerify(phone, clientIp);
    const db = this.#o.db;
    const row = await db
      .selectFrom('otp_codes')
      .selectAll()
      .where('phone', '=', phone)
      .executeTakeFirst();
    if (!row) throw wrongCode();
    if (row.expires_at <= this.#now()) {
      await db
        .deleteFrom('otp_codes')
        .where('phone', '=', phone)
        .where('code_hash', '=', row.code_hash)
        .execute();
      throw new AppError('OTP_EXPIRED', 400, 'That code has expired. Ask for a new one.');
    }
    if (row.attempts >= this.#o.maxAttempts) throw usedUp();
    if (digestsEqual(row.code_hash, hashOtp(this.#o.secret, phone, code))) {
      // The delete is the consumption: of two concurrent verifies only one deletes the row.
      const consumed = await db
        .deleteFrom('otp_codes')
        .where('phone', '=', phone)
        .where('code_hash', '=', row.code_hash)
        .where('attempts', '<', this.#o.maxAttempts)
        .executeTakeFirst();
      if (consumed.numDeletedRows === 1n) return phone;
      throw usedUp();
    }
    const locked = await this.#o.limits.wrongCode(phone, clientIp);
    if (locked) {
      // The number is locked: its code is void, so that guessing cannot resume after the lock.
      await db.deleteFrom('otp_codes').where('phone', '=', phone).execute();
      throw locked;
    }
    const bumped = await db
      .updateTable('otp_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('phone', '=', phone)
      .where('code_hash', '=', row.code_hash)
      .returning('attempts')
      .executeTakeFirst();
    if (bumped && bumped.attempts >= this.#o.maxAttempts) throw usedUp();
    throw wrongCode();
  }
}

const wrongCode = () =>
  new AppError('OTP_INVALID', 400, 'That code is not right. Check the SMS or ask for a new code.');

const usedUp = () =>
  new AppError(
    'OTP_TOO_MANY_ATTEMPTS',
    400,
    'Too many wrong tries: that code is used up. Ask for a new one.',
  );

/** The SMS says what the code is for and holds its digits exactly once. */
export function smsText(code: string, ttlSeconds: number): string {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return `Your Salon sign-in code is ${code}. It expires in ${minutes} min. Never share it: Salon will never ask you for it.`;
}
