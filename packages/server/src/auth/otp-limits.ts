import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';

export interface OtpLimitOptions {
  /** Seconds between two codes for one number; 0 turns the cooldown off. */
  resendCooldownSeconds: number;
  perPhonePerHour: number;
  perIpPerHour: number;
  /** Codes the whole server sends per hour: the cap on the SMS bill. */
  perHour: number;
}

interface Limit {
  limiter: RateLimiterAbstract;
  points: number;
  key: (phone: string, ip: string) => string;
  reason: string;
}

const HOUR = 3600;

/**
 * The limits on sending codes. A request is checked against every limit before any is charged,
 * so a refused request costs nothing (a blocked IP cannot burn a victim's hourly quota).
 */
export class OtpLimits {
  readonly #limits: Limit[];
  /** Checks and charges run one request at a time, so concurrent requests cannot overshoot. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(opts: OtpLimitOptions) {
    const limit = (points: number, duration: number, keyPrefix: string): RateLimiterAbstract =>
      new RateLimiterMemory({ points, duration, keyPrefix });
    this.#limits = [
      {
        limiter: limit(opts.perHour, HOUR, 'otp-all'),
        points: opts.perHour,
        key: () => 'all',
        reason: 'The server has sent too many codes this hour.',
      },
      {
        limiter: limit(opts.perIpPerHour, HOUR, 'otp-ip'),
        points: opts.perIpPerHour,
        key: (_phone, ip) => ip,
        reason: 'Too many codes were requested from your network.',
      },
      {
        limiter: limit(opts.perPhonePerHour, HOUR, 'otp-phone'),
        points: opts.perPhonePerHour,
        key: (phone) => phone,
        reason: 'Too many codes were sent to this number.',
      },
    ];
    if (opts.resendCooldownSeconds > 0) {
      this.#limits.push({
        limiter: limit(1, opts.resendCooldownSeconds, 'otp-cooldown'),
        points: 1,
        key: (phone) => phone,
        reason: 'A code was just sent to this number.',
      });
    }
  }

  /** Charges one code to every limit, or throws RATE_LIMITED (with Retry-After) charging none. */
  consume(phone: string, ip: string): Promise<void> {
    const run = this.#tail.then(() => this.#checkAndCharge(phone, ip));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #checkAndCharge(phone: string, ip: string): Promise<void> {
    let blocked: { reason: string; ms: number } | undefined;
    for (const l of this.#limits) {
      const res = await l.limiter.get(l.key(phone, ip));
      if (res && res.consumedPoints >= l.points && (!blocked || res.msBeforeNext > blocked.ms)) {
        blocked = { reason: l.reason, ms: res.msBeforeNext };
      }
    }
    if (blocked) {
      const seconds = Math.max(1, Math.ceil(blocked.ms / 1000));
      throw new AppError('RATE_LIMITED', 429, `${blocked.reason} Try again in ${seconds} s.`, {
        retryAfterSeconds: seconds,
      });
    }
    await Promise.all(this.#limits.map((l) => l.limiter.penalty(l.key(phone, ip), 1)));
  }
}
