import { spawn, type ChildProcess } from 'node:child_process';
import type { ErrorBody } from '@salon/protocol';
import { describe, expect, onTestFinished, test } from 'vitest';
import { RawClient, isType } from '../cable/helpers/raw-client.js';
import { ChatClient, acceptedDm, history, person, postMessage } from '../chat/chat-client.js';
import { runCli } from '../helpers/run-cli.js';
import WebSocket from 'ws';
import { SalonClient } from '../../../client/src/index.js';
import { api, signIn, testPhone, type SignedIn } from '../helpers/salon-server.js';
import { PG_ADMIN_URL, adminQuery } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';
import { REDIS_URL, TestCluster, freePort, type ClusterNode } from './helpers/cluster.js';

/** A cluster started for one test, closed when it ends. */
async function clusterOf(
  count: number,
  options: Parameters<typeof TestCluster.start>[1] = {},
): Promise<TestCluster> {
  const cluster = await TestCluster.start(count, options);
  onTestFinished(() => cluster.close());
  return cluster;
}

describe('cluster settings', () => {
  test('cluster mode refuses to start without SALON_SECRET or PostgreSQL, naming the setting', async () => {
    const noSecret = await runCli(['start'], {
      PORT: '0',
      SALON_REDIS_URL: REDIS_URL,
      SALON_DATABASE_URL: PG_ADMIN_URL,
      SALON_LOG_LEVEL: 'silent',
    });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr.trim().split('\n')).toHaveLength(1);
    expect(noSecret.stderr).toMatch(/SALON_SECRET/);

    const noPg = await runCli(['start'], {
      PORT: '0',
      SALON_REDIS_URL: REDIS_URL,
      SALON_SECRET: 'x'.repeat(40),
      SALON_LOG_LEVEL: 'silent',
    });
    expect(noPg.code).toBe(1);
    expect(noPg.stderr).toMatch(/PostgreSQL.*SALON_DATABASE_URL/);
  });
});

describe('limits across nodes', () => {
  test('a code’s resend cooldown started on one node holds on another', async () => {
    const cluster = await clusterOf(2, { env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '60' } });
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const phone = testPhone();
    expect((await api(a, 'POST', '/api/auth/otp', { phone })).status).toBe(202);
    const again = await api(b, 'POST', '/api/auth/otp', { phone });
    expect(again.status, JSON.stringify(again.body)).toBe(429);
    expect((again.body as ErrorBody).error.code).toBe('RATE_LIMITED');
  });
});

/**
 * Two nodes; Ana connected to the second, Ben (her accepted DM) to the first, once Ben has seen
 * her online. `isAna` picks presence changes that name her.
 */
async function anaOnSecondNodeSeenByBen() {
  const cluster = await clusterOf(2);
  const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
  const ana = await person(a, 'Ana');
  const ben = await person(a, 'Ben');
  const dm = await acceptedDm(a, ana, ben);
  const benWs = await ChatClient.connect(a, ben);
  await benWs.joinRoom(dm.id);
  const isAna = (e: { users: { user_id: string; online: boolean }[] }) =>
    e.users.some((u) => u.user_id === ana.id);
  const anaWs = await ChatClient.connect(b, ana);
  await benWs.roomEvent(dm.id, 'presence', isAna, 5000);
  return { b, ana, anaWs, benWs, dm, isAna };
}

describe('a node dies', () => {
  test('kill -9: its people go offline within the node timeout', async () => {
    const { b, benWs, dm, isAna, ana } = await anaOnSecondNodeSeenByBen();

    const killedAt = Date.now();
    await b.kill('SIGKILL');
    const offline = await benWs.roomEvent(dm.id, 'presence', isAna, 15_000);
    expect(offline.users.find((u) => u.user_id === ana.id)?.online).toBe(false);
    // The README's bound: SALON_CLUSTER_NODE_TIMEOUT_SECONDS (3 here) + 2 s.
    expect(Date.now() - killedAt).toBeLessThan(5000 + 1000);
  });
});

describe('a node stops', () => {
  test('SIGTERM: its people are announced offline before it exits', async () => {
    const { b, benWs, dm, isAna, ana } = await anaOnSecondNodeSeenByBen();

    await b.kill('SIGTERM');
    const offline = await benWs.roomEvent(dm.id, 'presence', isAna, 5000);
    expect(offline.users.find((u) => u.user_id === ana.id)?.online).toBe(false);
  });

  test('SIGTERM: a client that never answers the close handshake is announced offline too', async () => {
    const { b, anaWs, benWs, dm, isAna, ana } = await anaOnSecondNodeSeenByBen();

    // Ana's client stops reading (a frozen tab, a phone gone to sleep): the node sees her
    // connection close only when it cuts it off, and must not exit before that.
    anaWs.raw.ws.pause();
    await b.kill('SIGTERM');
    const offline = await benWs.roomEvent(dm.id, 'presence', isAna, 5000);
    expect(offline.users.find((u) => u.user_id === ana.id)?.online).toBe(false);
  });
});

describe('Redis is lost', () => {
  test('healthz says 503 naming Redis, clients are told to reconnect, and the node recovers by itself', async () => {
    const port = await freePort();
    let redis = startRedis(port);
    onTestFinished(() => {
      redis.kill('SIGKILL');
    });
    const redisUrl = `redis://127.0.0.1:${String(port)}`;
    await waitForRedis(redisUrl);
    const cluster = await clusterOf(2, { redisUrl });
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const ana = await person(a, 'Ana');
    const ben = await person(b, 'Ben');
    const dm = await acceptedDm(a, ana, ben);
    const benWs = await ChatClient.connect(b, ben);
    await benWs.joinRoom(dm.id);

    redis.kill('SIGKILL');
    const bye = await benWs.raw.nextFrame(isType('disconnect'), 10_000);
    expect(bye).toMatchObject({ reason: 'server_restart', reconnect: true });
    for (const node of [a, b]) {
      await waitFor(`${node.name} unhealthy`, async () => (await node.health()).status === 503);
      expect((await node.health()).body).toEqual({
        status: 'unavailable',
        problem: 'redis unreachable',
      });
    }
    // No one is let in meanwhile: the upgrade is refused.
    await expect(
      RawClient.open(`${b.wsUrl}/cable`, { headers: { authorization: `Bearer ${ben.token}` } }),
    ).rejects.toThrow(/404/);

    redis = startRedis(port);
    for (const node of [a, b])
      await waitFor(
        `${node.name} healthy again`,
        async () => (await node.health()).status === 200,
        15_000,
        100,
      );
    // Broadcasts cross nodes again.
    const again = await ChatClient.connect(b, ben);
    await again.joinRoom(dm.id);
    await postMessage(a, ana, dm.id, 'back', 'redis-back');
    expect((await again.message(dm.id, 'redis-back', 5000)).body).toBe('back');
  });
});

describe('Redis restarts under load', () => {
  test('nodes reconnect by themselves; every client ends with every message, once, in order', async () => {
    const port = await freePort();
    const redis = { proc: startRedis(port) };
    onTestFinished(() => {
      redis.proc.kill('SIGKILL');
    });
    const redisUrl = `redis://127.0.0.1:${String(port)}`;
    await waitForRedis(redisUrl);
    const cluster = await clusterOf(2, { redisUrl });
    const nodes = cluster.nodes as [ClusterNode, ClusterNode];
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await signIn(nodes[0], undefined, `S${String(i)}`));
    const [owner] = people as [SignedIn];
    const created = await api(
      nodes[0],
      'POST',
      '/api/rooms',
      { name: 'Load', members: people.slice(1).map((p) => p.user.id) },
      owner.token,
    );
    expect(created.status).toBe(201);
    const roomId = (created.body as { room: { id: string } }).room.id;
    let drops = 0;
    const clients = await Promise.all(
      people.map(async (who, i) => {
        const client = new SalonClient({
          baseUrl: (i % 2 === 0 ? nodes[0] : nodes[1]).url,
          token: who.token,
          WebSocket,
          transports: ['websocket'],
        });
        onTestFinished(() => client.stop());
        await client.loadMe();
        client.start();
        await waitFor('connected', () => client.status.state === 'connected', 10_000);
        client.onStatus((status) => {
          if (status.state === 'reconnecting') drops++;
        });
        const conv = client.conversation(roomId);
        await conv.load();
        return { client, conv };
      }),
    );

    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      for (const [n, { conv }] of clients.entries()) conv.send(`s${String(n)} m${String(i)}`);
      if (i === 6) {
        const old = redis.proc;
        const gone = new Promise((r) => old.once('exit', r));
        old.kill('SIGKILL');
        await gone;
      }
      if (i === 12) redis.proc = startRedis(port);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const total = rounds * clients.length;
    // The nodes sent their clients away while Redis was gone.
    expect(drops).toBeGreaterThanOrEqual(clients.length);
    for (const { conv } of clients)
      await waitFor(
        'every message, all sent',
        () =>
          conv.messages.filter((m) => m.kind === 'text').length === total &&
          conv.messages.every((m) => m.status === 'sent'),
        60_000,
        50,
      );
    const res = await api(
      nodes[1],
      'GET',
      `/api/rooms/${roomId}/messages?limit=200`,
      undefined,
      owner.token,
    );
    const stored = (res.body as { messages: { seq: number; kind: string }[] }).messages.filter(
      (m) => m.kind === 'text',
    );
    expect(stored).toHaveLength(total);
    for (const { conv } of clients)
      expect(conv.messages.filter((m) => m.kind === 'text').map((m) => m.seq)).toEqual(
        stored.map((m) => m.seq),
      );
    for (const node of nodes) expect((await node.health()).status).toBe(200);
  });
});

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
}

async function waitForRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  await waitFor(
    'redis answers',
    async () => {
      const r = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      r.on('error', () => {});
      try {
        await r.connect();
        await r.ping();
        return true;
      } catch {
        return false;
      } finally {
        r.disconnect();
      }
    },
    10_000,
    100,
  );
}

describe('durable jobs', () => {
  test('an SMS queued on a node that is then killed is still sent, by another node', async () => {
    const cluster = await clusterOf(1);
    const [a] = cluster.nodes as [ClusterNode];
    // Twilio fails at first: the job is still queued (or waiting for its retry) when the node dies.
    cluster.sms.failNext(3, 500);
    const phone = testPhone();
    expect((await api(a, 'POST', '/api/auth/otp', { phone })).status).toBe(202);
    await a.kill('SIGKILL');
    expect(cluster.sms.messages.filter((m) => m.to === phone)).toHaveLength(0);

    // A node that was not there when the code was asked for sends it.
    await cluster.startNode('n2');
    const sms = await cluster.sms.nextMessage(phone, 30_000);
    expect(sms.body).toMatch(/\d{6}/);
  });
});

describe('PostgreSQL goes away', () => {
  test('sends fail with a retryable error while the database is gone, then succeed; nothing is half-stored', async () => {
    const cluster = await clusterOf(2);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const ana = await person(a, 'Ana');
    const ben = await person(a, 'Ben');
    const dm = await acceptedDm(a, ana, ben);
    const benWs = await ChatClient.connect(b, ben);
    await benWs.joinRoom(dm.id);
    await postMessage(a, ana, dm.id, 'before', 'before');

    // What a restart looks like to the nodes, for this cluster's database only (the server is
    // shared with the rest of the suite): every connection cut, new ones refused for a while.
    const db = cluster.database;
    let restored = false;
    await adminQuery(`ALTER DATABASE "${db}" WITH ALLOW_CONNECTIONS false`);
    const restore = async () => {
      if (restored) return;
      restored = true;
      await adminQuery(`ALTER DATABASE "${db}" WITH ALLOW_CONNECTIONS true`);
    };
    onTestFinished(restore);
    await adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`,
    );

    const during = await api(
      a,
      'POST',
      `/api/rooms/${dm.id}/messages`,
      { body: 'during', client_id: 'during' },
      ana.token,
    );
    expect(during.status, JSON.stringify(during.body)).toBe(503);
    expect((during.body as ErrorBody).error.code).toBe('STORE_UNAVAILABLE');
    expect(during.headers.get('retry-after')).not.toBeNull();

    await restore();
    // The sender retries with the same client_id, as the SDK does, until the store answers.
    const stored = await waitFor(
      'the store to take the send again',
      async () => {
        const res = await api(
          a,
          'POST',
          `/api/rooms/${dm.id}/messages`,
          { body: 'during', client_id: 'during' },
          ana.token,
        );
        return res.status === 201 ? res : undefined;
      },
      15_000,
      250,
    );
    expect(stored.status).toBe(201);
    await postMessage(b, ana, dm.id, 'after', 'after');
    await benWs.message(dm.id, 'after');

    const bodies = (await history(b, ben, dm.id)).map((m) => m.body);
    expect(bodies).toEqual(['before', 'during', 'after']);
  });
});
