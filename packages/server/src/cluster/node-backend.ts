import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Broker, LocalNode } from '../broker/broker.js';
import { MemoryBroker } from '../broker/memory-broker.js';
import { RedisBroker } from '../broker/redis-broker.js';
import type { ConnectionRegistry } from '../cable/registry.js';
import { SessionCache } from '../cable/session-cache.js';
import type { Config } from '../config.js';
import { BullmqJobQueue } from '../jobs/bullmq-job-queue.js';
import type { Job, JobQueue } from '../jobs/job-queue.js';
import { SqliteLimitStore, type LimitStore } from '../limits/limit-store.js';
import { RedisLimitStore } from '../limits/redis-limit-store.js';
import { MemoryPresence } from './memory-presence.js';
import { RedisLink } from './redis-link.js';
import { RedisPresence } from './redis-presence.js';
import { RedisRestoreStore } from './redis-restore-store.js';
import type { NodeHealth, PresenceTracker, RestoreStore } from './seams.js';

/**
 * Everything a node keeps that a cluster must share, chosen once, here, at start: in memory for
 * one process, in Redis with SALON_REDIS_URL. No feature decides this for itself.
 */
export interface NodeBackend {
  readonly kind: 'single' | 'cluster';
  /** This node's name in the cluster (long-poll session ids start with it); '' for one node. */
  readonly nodeName: string;
  readonly limits: LimitStore;
  readonly restore: RestoreStore;
  readonly health: NodeHealth;
  /** The broker, handing this node's deliveries and control commands to `local`. */
  broker(local: LocalNode): Promise<Broker>;
  /**
   * The job queue: `local` for one node; in a cluster, `durable` jobs go to BullMQ (any node runs
   * them) and the rest, the message write path included, stay on `local`.
   */
  jobs(local: JobQueue, durable: readonly Job<never>[]): JobQueue;
  /** Connection counts and announced presence, over `registry` (this node's connections). */
  presence(registry: ConnectionRegistry): Promise<PresenceTracker>;
  close(): Promise<void>;
}

/** Refuses a cluster start that would misbehave, naming the setting (the caller exits 1). */
export class ClusterSettingError extends Error {}

export async function openNodeBackend(config: Config, log: Logger): Promise<NodeBackend> {
  if (config.redisUrl === undefined) return singleNode(config);
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl))
    throw new ClusterSettingError(
      'cluster mode (SALON_REDIS_URL) needs PostgreSQL: set SALON_DATABASE_URL=postgres://…',
    );
  if (config.secret === undefined)
    throw new ClusterSettingError(
      'cluster mode (SALON_REDIS_URL) needs SALON_SECRET, the same on every node (a generated one differs per node and breaks tickets)',
    );
  return clusterNode(config, config.redisUrl, log);
}

function singleNode(config: Config): NodeBackend {
  const limits = new SqliteLimitStore(path.join(config.dataDir, 'limits.db'));
  return {
    kind: 'single',
    nodeName: '',
    limits,
    restore: new SessionCache(config.cableSessionRestoreSeconds * 1000),
    health: { healthy: true, problem: undefined, onChange: () => {} },
    broker: (local) =>
      Promise.resolve(
        new MemoryBroker(local, {
          historyLimit: config.cableHistoryLimit,
          historyTtlMs: config.cableHistoryTtlSeconds * 1000,
        }),
      ),
    presence: (registry) => Promise.resolve(new MemoryPresence(registry)),
    jobs: (local) => local,
    close: () => {
      limits.close();
      return Promise.resolve();
    },
  };
}

async function clusterNode(config: Config, url: string, log: Logger): Promise<NodeBackend> {
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
