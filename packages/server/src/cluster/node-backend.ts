import path from 'node:path';
import type { Logger } from 'pino';
import type { Broker, LocalNode } from '../broker/broker.js';
import { MemoryBroker } from '../broker/memory-broker.js';
import type { ConnectionRegistry } from '../cable/registry.js';
import { SessionCache } from '../cable/session-cache.js';
import type { Config } from '../config.js';
import type { Job, JobQueue } from '../jobs/job-queue.js';
import { SqliteLimitStore, type LimitStore } from '../limits/limit-store.js';
import { MemoryPresence } from './memory-presence.js';
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
  // Loaded only in cluster mode: one node never loads ioredis or BullMQ.
  const { clusterNode } = await import('./cluster-node-backend.js');
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
