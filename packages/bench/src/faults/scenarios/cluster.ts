import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTwilioFake } from '../../../../server/test/helpers/twilio-fake.js';
import { onCleanup } from '../cleanup.js';
import { freePort } from '../../free-port.js';
import { Load, newSecret, nodeEnv } from '../load.js';
import { readPostgres } from '../pg-count.js';
import { Phases } from '../phases.js';
import { PrivatePostgres, PrivateRedis } from '../private-services.js';
import { SalonProcess, sleep } from '../salon-process.js';
import { seenOf, standardChecks, type Scenario } from '../scenario.js';
import { tally } from '../tally.js';

const PHASE_MS = 5000;

/**
 * Two nodes on a private PostgreSQL and a private Redis, under steady load from clients on both
 * nodes: a node is killed (-9) and started again, then Redis is restarted (empty), then
 * PostgreSQL is restarted. A client whose node is down goes to the other one, as behind a load
 * balancer.
 */
export const cluster: Scenario = {
  name: 'cluster',
  boundSeconds: 600,
  needs: 'root (runuser -u postgres for a private PostgreSQL), redis-server',
  async run() {
    const t0 = Date.now();
    const [pg, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    const sms = await startTwilioFake();
    onCleanup(() => sms.close());
    const secret = newSecret();
    const nodes: SalonProcess[] = [];
    for (const name of ['f1', 'f2']) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-faults-node-'));
      onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
      const node = new SalonProcess({
        port: await freePort(),
        env: {
          ...nodeEnv(sms, secret),
          SALON_DATA_DIR: dir,
          SALON_DATABASE_URL: pg.url,
          SALON_REDIS_URL: redis.url,
          SALON_REDIS_KEY_PREFIX: 'salon-faults:',
          SALON_NODE_NAME: name,
          SALON_CLUSTER_NODE_TIMEOUT_SECONDS: '3',
          SALON_DATABASE_POOL_SIZE: '4',
        },
      });
      // One at a time: the first start migrates the database.
      await node.start();
      nodes.push(node);
    }
    const [n1, n2] = nodes as [SalonProcess, SalonProcess];
    // Client i uses node i % 2, or the other one while its own is down.
    const urlFor = (i: number): string => {
      const own = nodes[i % 2] as SalonProcess;
      return own.up ? own.url : (nodes[(i + 1) % 2] as SalonProcess).url;
    };
    const load = await Load.prepare(n1.url, sms, {
      urls: urlFor,
      httpSenders: 2,
      cableSenders: 2,
      perSecond: 10,
    });
    const { ledger } = load;
    const phases = new Phases(ledger);
    load.start();
    phases.begin('steady');
    await sleep(PHASE_MS);

    phases.begin('node f2 killed (-9) and started again');
    await n2.kill9();
    const down = Date.now();
    await n2.start();
    const nodeBackMs = Date.now() - down;
    await sleep(PHASE_MS);

    phases.begin('Redis restarted (empty)');
    await redis.restart();
    await sleep(PHASE_MS);

    phases.begin('PostgreSQL restarted (pg_ctl restart -m fast)');
    const pgDown = Date.now();
    pg.restart();
    const pgBackMs = Date.now() - pgDown;
    await sleep(PHASE_MS);

    phases.begin('steady again, then senders stop (retries for up to 20 s)');
    await sleep(PHASE_MS);
    await load.stop(20_000);
    phases.end();
    await Promise.all(nodes.map((n) => n.stop()));
    const t = tally(ledger, await readPostgres(pg.url, load.roomId), load.names);
    return {
      name: 'cluster',
      setup: `Two nodes (\`salon start\` child processes) on a private PostgreSQL 15 (initdb in a temp dir) and a private Redis (no persistence); 2 HTTP and 2 WebSocket senders at 10 messages/s each, half on each node (a client whose node is down uses the other); ${String(PHASE_MS / 1000)} s phases: steady, a node killed and restarted, Redis restarted, PostgreSQL restarted, steady.`,
      tally: t,
      seen: seenOf(ledger),
      checks: [
        ...standardChecks(t),
        {
          what: 'nothing left unresolved (every send acknowledged or stored by the end)',
          ok: t.unresolved === 0,
        },
      ],
      notes: [
        ...phases.notes,
        `the killed node answered /healthz ${String(nodeBackMs)} ms after the kill; pg_ctl restart took ${String(pgBackMs)} ms`,
      ],
      seconds: (Date.now() - t0) / 1000,
    };
  },
};
