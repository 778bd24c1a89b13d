/**
 * One node against a two-node cluster, in one run: the same room of subscribers split across the
 * nodes, the same message rate. Reports server CPU per delivery (all nodes together) and the
 * latency from send to delivery, for deliveries on the sender's node and on the other node.
 * Writes results/cluster-<date>.md.
 *
 *   node --import tsx packages/bench/src/cluster/run-cluster.ts
 *
 * Needs PostgreSQL at 127.0.0.1:5432 (trust, user postgres) and Redis at 127.0.0.1:6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { smsToFake, WIDE_LIMITS } from '../../../server/test/helpers/test-env.js';
import { startTwilioFake, type TwilioFake } from '../../../server/test/helpers/twilio-fake.js';
import { cpuBetween, sampleCpu } from '../proc-stats.js';
import { compiledSalonStart } from '../compiled-salon.js';
import { freePort } from '../free-port.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MEMBERS = Number(process.env.BENCH_CLUSTER_MEMBERS ?? 200);
const RATE = Number(process.env.BENCH_CLUSTER_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);

interface Node {
  url: string;
  proc: ChildProcess;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-bench-'));
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SALON_')),
  );
  const [node, ...args] = compiledSalonStart();
  const proc = spawn(node ?? process.execPath, args, {
    cwd: root,
    env: { ...base, ...env, PORT: String(port), HOST: '127.0.0.1', SALON_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d.slice(0, 2000)));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  for (let i = 0; i < 600 && !/Salon is listening/.test(out); i++) {
    if (proc.exitCode !== null) throw new Error(`node exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${String(port)}`, proc };
}

async function json(url: string, method: string, body?: unknown, token?: string): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${String(res.status)} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

let phoneN = 0;
async function signIn(node: Node, sms: TwilioFake): Promise<{ token: string; id: string }> {
  const phone = `+1415${String(3000000 + process.pid * 13 + ++phoneN).slice(-7)}`;
  await json(`${node.url}/api/auth/otp`, 'POST', { phone });
  const code = await sms.nextCode(phone);
  const r = (await json(`${node.url}/api/auth/verify`, 'POST', { phone, code })) as {
    token: string;
    user: { id: string };
  };
  return { token: r.token, id: r.user.id };
}

/** One trial: `nodes` Salon processes, members split evenly, one sender on the first node. */
async function trial(nodeCount: number): Promise<Record<string, number>> {
  const db = `salon_bench_cluster_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE "${db}"`);
  const dbUrl = new URL(PG);
  dbUrl.pathname = `/${db}`;
  const sms = await startTwilioFake();
  const env: Record<string, string> = {
    SALON_DATABASE_URL: dbUrl.toString(),
    SALON_SECRET: randomBytes(32).toString('base64url'),
    SALON_LOG_LEVEL: 'warn',
    ...smsToFake(sms),
    ...WIDE_LIMITS,
    SALON_CABLE_COMMANDS_PER_SECOND: '10000',
    SALON_CABLE_COMMAND_BURST: '10000',
  };
  if (nodeCount > 1) {
    env.SALON_REDIS_URL = REDIS;
    env.SALON_REDIS_KEY_PREFIX = `salon-bench-${randomBytes(3).toString('hex')}:`;
  }
  const nodes: Node[] = [];
  const sockets: WebSocket[] = [];
  try {
    nodes.push(await startNode({ ...env, SALON_NODE_NAME: 'b1' }));
    for (let i = 1; i < nodeCount; i++)
      nodes.push(await startNode({ ...env, SALON_NODE_NAME: `b${String(i + 1)}` }));
    const first = nodes[0] as Node;
    const people = [];
    for (let i = 0; i < MEMBERS; i++) people.push(await signIn(first, sms));
    const [owner] = people as [{ token: string; id: string }];
    const room = (
      (await json(
        `${first.url}/api/rooms`,
        'POST',
        { name: 'Bench', members: people.slice(1).map((p) => p.id) },
        owner.token,
      )) as { room: { id: string } }
    ).room.id;
    const identifier = JSON.stringify({ channel: 'RoomChannel', room });
    const sameNode: number[] = [];
    const otherNode: number[] = [];
    let deliveries = 0;
    // Member i connects to node i % nodeCount; the sender (member 0) is on the first node.
    await Promise.all(
      people.map(
        (p, i) =>
          new Promise<void>((resolve, reject) => {
            const node = nodes[i % nodeCount] as Node;
            const ws = new WebSocket(
              `${node.url.replace('http', 'ws')}/cable`,
              'actioncable-v1-json',
              {
                headers: { authorization: `Bearer ${p.token}` },
              },
            );
            sockets.push(ws);
            const local = i % nodeCount === 0;
            ws.on('error', reject);
            ws.on('message', (data) => {
              const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
              const f = JSON.parse(text) as {
                type?: string;
                message?: { type?: string; message?: { body?: string } };
              };
              if (f.type === 'welcome')
                ws.send(JSON.stringify({ command: 'subscribe', identifier }));
              else if (f.type === 'confirm_subscription') resolve();
              else if (f.message?.type === 'message' && f.message.message?.body?.startsWith('t=')) {
                const sent = Number(f.message.message.body.slice(2));
                (local ? sameNode : otherNode).push(Date.now() - sent);
                deliveries++;
              }
            });
          }),
      ),
    );
    const sender = sockets[0] as WebSocket;
    const before = nodes.map((n) => sampleCpu(n.proc.pid ?? 0));
    const total = RATE * SECONDS;
    for (let i = 0; i < total; i++) {
      sender.send(
        JSON.stringify({
          command: 'message',
          identifier,
          data: JSON.stringify({
            action: 'speak',
            body: `t=${String(Date.now())}`,
            client_id: `b-${String(i)}`,
          }),
        }),
      );
      await new Promise((r) => setTimeout(r, 1000 / RATE));
    }
    const expected = total * MEMBERS;
    for (let i = 0; i < 300 && deliveries < expected; i++)
      await new Promise((r) => setTimeout(r, 100));
    const after = nodes.map((n) => sampleCpu(n.proc.pid ?? 0));
    let cpuUs = 0;
    for (const [k, b] of before.entries()) {
      const a = after[k];
      if (a) cpuUs += cpuBetween(b, a).cpu_us;
    }
    const pct = (xs: number[], q: number): number =>
      xs.length === 0
        ? NaN
        : ([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ??
          NaN);
    return {
      deliveries,
      expected,
      us_per_delivery: cpuUs / Math.max(1, deliveries),
      same_p50: pct(sameNode, 0.5),
      same_p99: pct(sameNode, 0.99),
      other_p50: pct(otherNode, 0.5),
      other_p99: pct(otherNode, 0.99),
    };
  } finally {
    for (const s of sockets) s.terminate();
    for (const n of nodes) n.proc.kill('SIGKILL');
    await sms.close();
    await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (let run = 0; run < RUNS; run++)
    for (const n of [1, 2]) {
      const r = await trial(n);
      console.log(n, JSON.stringify(r));
      rows.push(
        `| ${String(run + 1)} | ${n === 1 ? '1 node' : '2 nodes (Redis)'} | ${String(r.deliveries)} / ${String(r.expected)} | ${(r.us_per_delivery ?? 0).toFixed(1)} | ${String(r.same_p50)} / ${String(r.same_p99)} | ${n === 1 ? '–' : `${String(r.other_p50)} / ${String(r.other_p99)}`} |`,
      );
    }
  const date = new Date().toISOString().slice(0, 10);
  const out = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    `../../results/cluster-${date}.md`,
  );
  fs.writeFileSync(
    out,
    `# One node against a two-node cluster

Date: ${date}. This machine (2 cores, shared with other work; nothing pinned), PostgreSQL and Redis on
it. ${String(MEMBERS)} members in one group, split evenly over the nodes (WebSocket, v1 JSON); one sender on the
first node speaks ${String(RATE)} messages/s for ${String(SECONDS)} s (each message is stored in PostgreSQL,
then broadcast to every member). Server CPU is every node's /proc utime+stime over the run, per
delivery. Latency: from the sender's clock before the send to the receiver's on delivery (ms, one
machine), for members on the sender's node and on the other node.

| run | setup | deliveries | server µs per delivery | same node p50 / p99 ms | other node p50 / p99 ms |
|---|---|---|---|---|---|
${rows.join('\n')}

Reproduce: \`node --import tsx packages/bench/src/cluster/run-cluster.ts\` (BENCH_CLUSTER_MEMBERS,
BENCH_CLUSTER_RATE, BENCH_CLUSTER_SECONDS, BENCH_RUNS).
`,
  );
  console.log(fs.readFileSync(out, 'utf8'));
  process.exit(0);
}

void main();
