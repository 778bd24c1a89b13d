import os from 'node:os';
import type { Logger } from 'pino';
import { RedisBroker } from '../broker/redis-broker.js';
import type { Config } from '../config.js';
import { BullmqJobQueue } from '../jobs/bullmq-job-queue.js';
import { RedisLimitStore } from '../limits/redis-limit-store.js';
import type { NodeBackend } from './node-backend.js';
import { RedisLink } from './redis-link.js';
import { RedisPresence } from './redis-presence.js';
import { RedisRestoreStore } from './redis-restore-store.js';
import type { NodeHealth } from './seams.js';

/**
 * A node of a cluster: limits, session restore, broker, durable jobs and presence in Redis. Its
 * own module so that a single node (openNodeBackend without SALON_REDIS_URL) never loads ioredis
 * and BullMQ.
 */
export async function clusterNode(config: Config, url: string, log: Logger): Promise<NodeBackend> {
  const nodeName =
    config.nodeName ??
    `${os.hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${String(process.pid)}`.slice(-64);
  const prefix = config.redisKeyPrefix;
  const clusterLog = log.child({ part: 'cluster', node: nodeName });
  const link = new RedisLink(url, clusterLog);
  try {
    await link.connect();
  } catch (err) {
    await link.close();
    throw new Error(
      `Redis at SALON_REDIS_URL cannot be reached: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const started: { close(): Promise<void> }[] = [];
  const health: NodeHealth = {
    get healthy() {
      return link.healthy;
    },
    get problem() {
      return link.healthy ? undefined : 'redis unreachable';
    },
    onChange: (listener) => link.onHealth(listener),
  };
  clusterLog.info('cluster mode');
  return {
    kind: 'cluster',
    nodeName,
    limits: new RedisLimitStore(link.command, prefix),
    restore: new RedisRestoreStore(link, {
      prefix,
      ttlMs: config.cableSessionRestoreSeconds * 1000,
      log: clusterLog,
    }),
    health,
    async broker(local) {
      const broker = new RedisBroker(link, local, {
        prefix,
        historyLimit: config.cableHistoryLimit,
        historyTtlMs: config.cableHistoryTtlSeconds * 1000,
        log: clusterLog,
      });
      await broker.start();
      return broker;
    },
    jobs: (local, durable) =>
      new BullmqJobQueue({
        redisUrl: url,
        prefix,
        log: clusterLog,
        local,
        durable,
        healthy: () => link.healthy,
      }),
    async presence() {
      const presence = new RedisPresence(link, {
        prefix,
        nodeName,
        nodeTimeoutMs: config.clusterNodeTimeoutSeconds * 1000,
        log: clusterLog,
      });
      await presence.start();
      started.push(presence);
      return presence;
    },
    async close() {
      for (const s of started) await s.close().catch(() => {});
      await link.close();
    },
  };
}
