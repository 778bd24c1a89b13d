import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitStore } from './limit-store.js';
import { isLimitHit, rateLimited } from './retry-after.js';

/** How much of each action one person may do, per window. Settings; see config.ts. */
export interface ActionLimitOptions {
  groupsPerHour: number;
  dmsPerHour: number;
  /** People added to groups (one point per person), per hour. */
  memberAddsPerHour: number;
  /** Messages sent over HTTP, per minute (the WebSocket path has its per-connection rate). */
  httpSendsPerMinute: number;
}

export type Action = 'group' | 'dm' | 'member_add' | 'http_send';

const REASONS: Record<Action, string> = {
  group: 'You have made many groups in a short time.',
  dm: 'You have started many conversations in a short time.',
  member_add: 'You have added many people in a short time.',
  http_send: 'You are sending messages too fast.',
};

/**
 * Per-person limits on what costs others (a victim's conversation list, SMS bills, the event loop):
 * making groups, starting conversations, adding people, sending over HTTP. Past one: 429 with
 * Retry-After.
 */
export class ActionLimits {
  readonly #limiters: Record<Action, RateLimiterAbstract>;

  constructor(store: LimitStore, opts: ActionLimitOptions) {
    this.#limiters = {
      group: store.limiter({
        keyPrefix: 'act-group',
        points: opts.groupsPerHour,
        durationSeconds: 3600,
      }),
      dm: store.limiter({ keyPrefix: 'act-dm', points: opts.dmsPerHour, durationSeconds: 3600 }),
      member_add: store.limiter({
        keyPrefix: 'act-add',
        points: opts.memberAddsPerHour,
        durationSeconds: 3600,
      }),
      http_send: store.limiter({
        keyPrefix: 'act-send',
        points: opts.httpSendsPerMinute,
        durationSeconds: 60,
      }),
    };
  }

  /** Charges `points` of `action` to `userId`, or throws RATE_LIMITED. */
  async charge(userId: string, action: Action, points = 1): Promise<void> {
    if (points <= 0) return;
    try {
      await this.#limiters[action].consume(userId, points);
    } catch (err) {
      if (isLimitHit(err)) throw rateLimited(REASONS[action], err.msBeforeNext);
      throw err;
    }
  }
}
