import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTwilioFake } from '../../../../server/test/helpers/twilio-fake.js';
import { onCleanup } from '../cleanup.js';
import { HealthWatch } from '../health-watch.js';
import { freePort } from '../../free-port.js';
import { Load, newSecret, nodeEnv } from '../load.js';
import { Netns } from '../netns.js';
import { readPostgres } from '../pg-count.js';
import { Phases } from '../phases.js';
import { PrivatePostgres, PrivateRedis } from '../private-services.js';
import { SalonProcess, sleep } from '../salon-process.js';
import { seenOf, standardChecks, type Scenario } from '../scenario.js';
import { tally } from '../tally.js';

const PHASE_MS = 5000;
const CUT_MS = 12_000;

/**
 * Two nodes on a private PostgreSQL and Redis; the second node lives in its own network
 * namespace, joined by a veth pair. Its link is cut (no reset: packets just stop), kept cut, then
 * healed. Clients use their own node while its /healthz answers and the other one otherwise.
 */
export const partition: Scenario = {
  name: 'partition',
  boundSeconds: 600,
  needs: 'root (ip netns, veth), redis-server, runuser -u postgres',
  async run() {
    const t0 = Date.now();
    const ns = Netns.create();
    const [pg, redis] = await Promise.all([
      PrivatePostgres.start(`127.0.0.1,${ns.hostAddress}`),
      PrivateRedis.start(['127.0.0.1', ns.hostAddress]),
    ]);
    const sms = await startTwilioFake();
    onCleanup(() => sms.close());
    const secret = newSecret();
    const nodes: SalonProcess[] = [];
    for (const [name, inside] of [
      ['p1', false],
      ['p2', true],
    ] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-faults-node-'));
      onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
      const services = inside ? ns.hostAddress : '127.0.0.1';
      const node = new SalonProcess({
        port: await freePort(),
        ...(inside ? { host: ns.nsAddress, netns: ns.name } : {}),
        env: {
          ...nodeEnv(sms, secret),
          SALON_DATA_DIR: dir,
          SALON_DATABASE_URL: pg.urlAt(services),
          SALON_REDIS_URL: redis.urlAt(services),
          SALON_REDIS_KEY_PREFIX: 'salon-faults:',
          SALON_NODE_NAME: name,
          SALON_CLUSTER_NODE_TIMEOUT_SECONDS: '3',
          SALON_DATABASE_POOL_SIZE: '4',
        },
      });
      await node.start();
      nodes.push(node);
    }
    const watch = new HealthWatch(nodes);
    onCleanup(() => watch.stop());
    const urlFor = (i: number): string => {
      const own = i % 2;
      const pick = watch.healthy(own) ? own : 1 - own;
      return (nodes[pick] as SalonProcess).url;
    };
    const load = await Load.prepare((nodes[0] as SalonProcess).url, sms, {
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
    phases.begin(`node p2 cut off (veth down) for ${String(CUT_MS / 1000)} s`);
    ns.cut();
    onCleanup(() => ns.heal());
    await sleep(CUT_MS);
    phases.begin('link healed');
    ns.heal();
    await sleep(CUT_MS);
    phases.begin('steady again, then senders stop (retries for up to 20 s)');
    await sleep(PHASE_MS);
    await load.stop(20_000);
    phases.end();
    watch.stop();
    await Promise.all(nodes.map((n) => n.stop()));
    const t = tally(ledger, await readPostgres(pg.url, load.roomId), load.names);
    return {
      name: 'partition',
      setup: `Two nodes on a private PostgreSQL and Redis; node p2 runs in a network namespace joined by a veth pair (10.231.x.0/30, this machine only). 2 HTTP and 2 WebSocket senders at 10 messages/s, half on each node (a client uses the other node while its own fails /healthz, polled every 500 ms). Phases: steady ${String(PHASE_MS / 1000)} s, p2's link down ${String(CUT_MS / 1000)} s, healed ${String(CUT_MS / 1000)} s, steady ${String(PHASE_MS / 1000)} s. Packet loss and delay (tc netem) were not run: this machine's kernel has no netem qdisc.`,
      tally: t,
      seen: seenOf(ledger),
      checks: [
        ...standardChecks(t),
        {
          what: 'nothing left unresolved (every send acknowledged or stored by the end)',
          ok: t.unresolved === 0,
        },
      ],
      notes: phases.notes,
      seconds: (Date.now() - t0) / 1000,
    };
  },
};
