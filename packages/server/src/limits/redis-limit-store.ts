import type { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitSpec, LimitStore } from './limit-store.js';

/**
 * Cluster mode: limit counters in Redis, so a limit holds across every node (an attacker
 * gains nothing by spreading requests over the balancer). The connection belongs to the node's
 * RedisLink, which closes it.
 */
export class RedisLimitStore implements LimitStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}limit:`;
  }

  limiter(spec: LimitSpec): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.#redis,
      keyPrefix: this.#prefix + spec.keyPrefix,
      points: spec.points,
      duration: spec.durationSeconds,
    });
  }

  close(): void {
    // Nothing of its own to close.
  }
}
