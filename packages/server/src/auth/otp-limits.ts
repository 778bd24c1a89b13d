import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import type { LimitStore } from '../limits/limit-store.js';
import { rateLimited, waitText } from '../limits/retry-after.js';
import { ipKey, networkKey } from './ip-prefix.js';
import type { NormalizedPhone } from './phone.js';

export interface OtpLimitOptions {
  /** The first wait between two codes for one number, seconds; 0 turns the cooldown off. */
  resendCooldownSeconds: number;
  perIpPerHour: number;
  /** Per IPv4 /24 or IPv6 /48. */
  perNetworkPerHour: number;
  /** Codes to numbers that never signed in, per block of 100 adjacent numbers. */
  newPerRangePerHour: number;
  /** The same, per block of 10,000 adjacent numbers: a walk across adjacent blocks of 100. */
  newPerWideRangePerHour: number;
  /** Codes to numbers that never signed in, per country calling code. */
  newPerCallingCodePerHour: number;
  /** Codes to numbers that never signed in, for the whole server: the cap on the SMS bill. */
  newPerHour: number;
  /** Wrong codes one client IP may enter per hour, across numbers. */
  wrongCodesPerIpPerHour: number;
  /** Wrong codes one number may draw per day before it is locked (see `wrongCode`). */
  wrongCodesPerNumberPerDay: number;
  /** How long a lock lasts, seconds. */
  lockSeconds: number;
}

/** The longest wait between two codes to one number: nobody can keep a number locked longer. */
export const MAX_COOLDOWN_SECONDS = 15 * 60;
/** How long the codes sent to a number are remembered for its backoff. */
const SENT_MEMORY_SECONDS = 24 * 3600;
/** Wrong codes for one number over which its codes get longer (see `codeDigitsFor`). */
export const WRONG_CODES_BEFORE_LONG_CODES = 20;
/**
 * How long wrong codes are remembered for the switch to long codes: a year (a window from the
 * first wrong code), so that a guesser who waits meets at most two runs of 6-digit codes in any
 * year (README, "Sign-in limits"). The owner, who reads the SMS, only types four more digits.
 */
const WRONG_CODE_MEMORY_SECONDS = 365 * 24 * 3600;
const HOUR = 3600;
const DAY = 24 * HOUR;
/** Points of counters that only count (the backoff and the wrong-code memory). */
const UNCAPPED = 1_000_000_000;

export interface OtpRequester {
  phone: NormalizedPhone;
  ip: string;
  /** The number signed in before: it is served from its own budget, not the new-number caps. */
  known: boolean;
}

interface Limit {
  limiter: RateLimiterAbstract;
  points: number;
  key: (r: OtpRequester) => string;
  reason: string;
  /** Applies to numbers that never signed in only. */
  newOnly: boolean;
}

/**
 * The limits on sending codes, stored so that they survive a restart (README, "Sign-in limits"):
 *
 * - per client address and network, so that one client cannot use up anyone else's budget;
 * - for numbers that never signed in, per block of adjacent numbers, per calling code and
 *   server-wide (SMS-pumping runs through fresh numbers), while numbers that signed in before are
 *   served from their own budget, so a flood of new numbers cannot lock existing users out;
 * - per number, a cooldown that doubles with each code (30 s, 1 min, 2 min…) up to 15 min and is
 *   forgotten after a day: whoever asks for codes to someone else's number delays them by at most
 *   15 minutes, and every code they trigger reaches the number's owner anyway;
 * - per number, a lock after too many wrong codes in a day (see `wrongCode`), during which the
 *   number gets no code and no code is checked for it.
 *
 * A request is checked against every limit before any is charged, so a refused request costs
 * nothing (a blocked client cannot burn a victim's budget).
 */
export class OtpLimits {
  readonly #limits: Limit[];
  readonly #sent: RateLimiterAbstract;
  readonly #cooldown: RateLimiterAbstract;
  readonly #wrongByNumber: RateLimiterAbstract;
  readonly #wrongByIp: RateLimiterAbstract;
  readonly #wrongByNumberToday: RateLimiterAbstract;
  readonly #lock: RateLimiterAbstract;
  readonly #opts: OtpLimitOptions;
  /** Checks and charges run one request at a time, so concurrent requests cannot overshoot. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(store: LimitStore, opts: OtpLimitOptions) {
    this.#opts = opts;
    const limit = (
      keyPrefix: string,
      points: number,
      key: Limit['key'],
      reason: string,
      newOnly: boolean,
    ): Limit => ({
      limiter: store.limiter({ keyPrefix, points, durationSeconds: HOUR }),
      points,
      key,
      reason,
      newOnly,
    });
    this.#limits = [
      limit(
        'otp-ip',
        opts.perIpPerHour,
        (r) => ipKey(r.ip),
        'Too many codes were requested from your network.',
        false,
      ),
      limit(
        'otp-net',
        opts.perNetworkPerHour,
        (r) => networkKey(r.ip),
        'Too many codes were requested from your network.',
        false,
      ),
      limit(
        'otp-new',
        opts.newPerHour,
        () => 'all',
        'Too many new numbers are signing up right now.',
        true,
      ),
      limit(
        'otp-new-cc',
        opts.newPerCallingCodePerHour,
        (r) => r.phone.callingCode,
        'Too many new numbers from this country are signing up right now.',
        true,
      ),
      limit(
        'otp-new-wide',
        opts.newPerWideRangePerHour,
        (r) => r.phone.e164.slice(0, -4),
        'Too many codes were sent to numbers like this one.',
        true,
      ),
      limit(
        'otp-new-range',
        opts.newPerRangePerHour,
        (r) => r.phone.e164.slice(0, -2),
        'Too many codes were sent to numbers like this one.',
        true,
      ),
    ];
    this.#sent = store.limiter({
      keyPrefix: 'otp-sent',
      points: UNCAPPED,
      durationSeconds: SENT_MEMORY_SECONDS,
    });
    this.#cooldown = store.limiter({
      keyPrefix: 'otp-cooldown',
      points: 1,
      durationSeconds: MAX_COOLDOWN_SECONDS,
    });
    this.#wrongByNumber = store.limiter({
      keyPrefix: 'otp-wrong',
      points: UNCAPPED,
      durationSeconds: WRONG_CODE_MEMORY_SECONDS,
    });
    this.#wrongByIp = store.limiter({
      keyPrefix: 'otp-wrong-ip',
      points: opts.wrongCodesPerIpPerHour,
      durationSeconds: HOUR,
    });
    this.#wrongByNumberToday = store.limiter({
      keyPrefix: 'otp-wrong-day',
      points: UNCAPPED,
      durationSeconds: DAY,
    });
    this.#lock = store.limiter({
      keyPrefix: 'otp-lock',
      points: 1,
      durationSeconds: opts.lockSeconds,
    });
  }

  /** Charges one code to every limit, or throws RATE_LIMITED (with Retry-After) charging none. */
  consume(requester: OtpRequester): Promise<void> {
    const run = this.#tail.then(() => this.#checkAndCharge(requester));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Digits of the next code for `phone`: 6, or 10 once its codes have been guessed at more than
   * WRONG_CODES_BEFORE_LONG_CODES times in a year. A guesser then faces 10¹⁰ codes, while the
   * number's owner, who reads the SMS, is never locked out (README, "Sign-in limits").
   */
  async codeDigitsFor(phone: string): Promise<number> {
    const wrong = await this.#wrongByNumber.get(phone);
    return (wrong?.consumedPoints ?? 0) >= WRONG_CODES_BEFORE_LONG_CODES ? 10 : 6;
  }

  /**
   * Refuses a verification for a locked number, or from an address that entered too many wrong
   * codes this hour.
   */
  async checkVerify(phone: string, ip: string): Promise<void> {
    await this.#checkLock(phone);
    const res = await this.#wrongByIp.get(ipKey(ip));
    if (res && res.consumedPoints >= this.#opts.wrongCodesPerIpPerHour)
      throw rateLimited('Too many wrong codes were entered from your network.', res.msBeforeNext);
  }

  /**
   * Counts a wrong code against the number and the address. From the number's
   * `wrongCodesPerNumberPerDay`th wrong code in a day, each wrong code locks the number for
   * `lockSeconds` and returns the lock (the caller voids the number's code): a guesser gets at
   * most that many guesses a day, plus one per lock.
   */
  async wrongCode(phone: string, ip: string): Promise<AppError | undefined> {
    const [, today] = await Promise.all([
      this.#wrongByNumber.penalty(phone, 1),
      this.#wrongByNumberToday.penalty(phone, 1),
      this.#wrongByIp.penalty(ipKey(ip), 1),
    ]);
    if (today.consumedPoints < this.#opts.wrongCodesPerNumberPerDay) return undefined;
    await this.#lock.block(phone, this.#opts.lockSeconds);
    return numberLocked(this.#opts.lockSeconds * 1000);
  }

  /** Throws OTP_NUMBER_LOCKED (with Retry-After) while `phone` is locked. */
  async #checkLock(phone: string): Promise<void> {
    const res = await this.#lock.get(phone);
    if (res && res.consumedPoints >= 1) throw numberLocked(res.msBeforeNext);
  }

  async #checkAndCharge(r: OtpRequester): Promise<void> {
    // A locked number gets no SMS at all, whoever asks.
    await this.#checkLock(r.phone.e164);
    const applicable = this.#limits.filter((l) => !l.newOnly || !r.known);
    let blocked: { reason: string; ms: number } | undefined;
    const refuse = (reason: string, ms: number) => {
      if (!blocked || ms > blocked.ms) blocked = { reason, ms };
    };
    for (const l of applicable) {
      const res = await l.limiter.get(l.key(r));
      if (res && res.consumedPoints >= l.points) refuse(l.reason, res.msBeforeNext);
    }
    if (this.#opts.resendCooldownSeconds > 0) {
      const res = await this.#cooldown.get(r.phone.e164);
      if (res && res.consumedPoints >= 1)
        refuse('A code was sent to this number a moment ago.', res.msBeforeNext);
    }
    if (blocked) throw rateLimited(blocked.reason, blocked.ms);

    await Promise.all(applicable.map((l) => l.limiter.penalty(l.key(r), 1)));
    if (this.#opts.resendCooldownSeconds > 0) {
      const sent = await this.#sent.penalty(r.phone.e164, 1);
      await this.#cooldown.block(
        r.phone.e164,
        cooldownSeconds(this.#opts.resendCooldownSeconds, sent.consumedPoints),
      );
    }
  }
}

/** The wait after the `n`th code in a day: the base, doubled for each code before, at most 15 min. */
export function cooldownSeconds(base: number, n: number): number {
  return Math.min(MAX_COOLDOWN_SECONDS, base * 2 ** Math.min(Math.max(n - 1, 0), 20));
}

/** OTP_NUMBER_LOCKED: too many wrong codes for this number today; Retry-After says until when. */
export function numberLocked(ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new AppError(
    'OTP_NUMBER_LOCKED',
    429,
    `Too many wrong codes were entered for this number: sign-in for it is paused. Try again in ${waitText(seconds)}.`,
    { retryAfterSeconds: seconds },
  );
}
