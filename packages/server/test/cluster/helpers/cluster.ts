import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { ServerAddress } from '../../helpers/salon-server.js';
import { adminQuery, pgUrl } from '../../helpers/test-database.js';
import { smsToFake, WIDE_LIMITS } from '../../helpers/test-env.js';
import { startTwilioFake, type TwilioFake } from '../../helpers/twilio-fake.js';
import { waitFor } from '../../helpers/wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
/** The compiled CLI, what `npm start` runs (built by the cluster project's globalSetup). */
const cli = path.join(root, 'packages/server/dist/cli.js');

export const REDIS_URL = process.env.SALON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One Salon process of a test cluster, started as `npm start` does: `node dist/cli.js start`. */
export interface ClusterNode extends ServerAddress {
  readonly name: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** kill -9 (default) or another signal; resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Answers of GET /healthz: status and body. */
  health(): Promise<{ status: number; body: unknown }>;
}

export interface ClusterOptions {
  /** Extra environment for every node. */
  env?: Record<string, string>;
  redisUrl?: string;
}

/**
 * Several Salon nodes on one fresh PostgreSQL database and one Redis key prefix of their own,
 * sharing a secret and a Twilio fake. `close()` stops every node and removes the database and
 * the keys.
 */
export class TestCluster {
  readonly nodes: ClusterNode[] = [];
  readonly sms: TwilioFake;
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly secret = randomBytes(32).toString('base64url');
  readonly redisUrl: string;
  readonly #env: Record<string, string>;
  /** The cluster's own PostgreSQL database (fault tests cut it off). */
  readonly database: string;
  readonly #dirs: string[] = [];

  private constructor(sms: TwilioFake, database: string, options: ClusterOptions) {
    this.sms = sms;
    this.database = database;
    this.databaseUrl = pgUrl(database);
    this.prefix = `salon-test-${randomBytes(4).toString('hex')}:`;
    this.redisUrl = options.redisUrl ?? REDIS_URL;
    this.#env = options.env ?? {};
  }

  /** Starts `count` nodes: the first alone (it migrates the database), then the others together. */
  static async start(count: number, options: ClusterOptions = {}): Promise<TestCluster> {
    const sms = await startTwilioFake();
    const prefix = (inject('pgRunPrefix') as string | undefined) ?? 'salon_test_adhoc';
    const database = `${prefix}_cluster_${String(process.pid)}_${randomBytes(3).toString('hex')}`;
    await adminQuery(`CREATE DATABASE "${database}"`);
    const cluster = new TestCluster(sms, database, options);
    try {
      await cluster.startNode('n1');
      await Promise.all(
        Array.from({ length: count - 1 }, (_, i) => cluster.startNode(`n${String(i + 2)}`)),
      );
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  /** Starts one more node (or a node again, under the same name and port). */
  async startNode(
    name: string,
    options: { port?: number; env?: Record<string, string> } = {},
  ): Promise<ClusterNode> {
    const port = options.port ?? (await freePort());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `salon-cluster-${name}-`));
    this.#dirs.push(dataDir);
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SALON_')),
    );
    const child = spawn(process.execPath, ['--enable-source-maps', cli, 'start'], {
      cwd: root,
      env: {
        ...base,
        ...this.nodeEnv(name, port, dataDir),
        ...this.#env,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${String(port)}`;
    const node: ClusterNode = {
      name,
      port,
      url,
      wsUrl: `ws://127.0.0.1:${String(port)}`,
      sms: this.sms,
      process: child,
      output: () => output,
      async kill(signal = 'SIGKILL') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      },
      async health() {
        const res = await fetch(`${url}/healthz`);
        return { status: res.status, body: await res.json() };
      },
    };
    this.nodes.push(node);
    await waitFor(
      `node ${name} listening`,
      () => {
        if (child.exitCode !== null) throw new Error(`node ${name} exited:\n${output}`);
        return /Salon is listening/.test(output);
      },
      60_000,
      50,
    );
    return node;
  }

  /** The environment of a node: a person's cluster settings, and the test suite's limits. */
  nodeEnv(name: string, port: number, dataDir: string): Record<string, string> {
    return {
      PORT: String(port),
      HOST: '127.0.0.1',
      SALON_DATA_DIR: dataDir,
      SALON_DATABASE_URL: this.databaseUrl,
      SALON_REDIS_URL: this.redisUrl,
      SALON_REDIS_KEY_PREFIX: this.prefix,
      SALON_NODE_NAME: name,
      SALON_SECRET: this.secret,
      SALON_CLUSTER_NODE_TIMEOUT_SECONDS: '3',
      SALON_LOG_LEVEL: process.env.SALON_TEST_LOG_LEVEL ?? 'info',
      SALON_DATABASE_POOL_SIZE: '4',
      ...smsToFake(this.sms),
      ...WIDE_LIMITS,
    };
  }

  /** A Redis client on the cluster's Redis (closed by `close`). */
  redis(): Redis {
    const client = new Redis(this.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
    this.#clients.push(client);
    return client;
  }

  readonly #clients: Redis[] = [];

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill('SIGKILL')));
    await this.sms.close();
    try {
      const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    } catch {
      // A test that stopped its own Redis has nothing left to clean.
    }
    for (const c of this.#clients) c.disconnect();
    await adminQuery(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
    for (const d of this.#dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
