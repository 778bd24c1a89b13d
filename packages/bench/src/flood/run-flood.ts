import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSalon, loadConfig, type Salon } from '@salon/server';
import WebSocket from 'ws';

/**
 * Small-room latency with and without one person flooding a 10,000-member room (issue 12): does
 * the per-person send rate keep a flooder from slowing everyone else down? Two servers, one with
 * the default send rate (SALON_LIMIT_SENDS_PER_SECOND) and one with it off; on each, small-room
 * latency is measured first quiet, then while the flooder sends at the most its connections may
 * (just under the per-connection command rate, so it is not disconnected). About 30 s in all.
 *
 * Server and clients share this one process and its event loop: the figures are end-to-end
 * latency as a client in the same process sees it, for comparing the phases with one another,
 * not absolute numbers. `npm run bench:flood -w @salon/bench`.
 */

const BIG_ROOM_MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
/** Big-room members connected and reading (the rest are members who are offline). */
const BIG_ROOM_READERS = 50;
const SMALL_ROOMS = 10;
/** One message per small room every this many ms. */
const SMALL_ROOM_INTERVAL_MS = 200;
const FLOOD_CONNECTIONS = 4;
/** Per flooder connection: 45 a second, under the 50 commands a second a connection may send. */
const FLOOD_INTERVAL_MS = 1000 / 45;
const PHASE_MS = 4000;
const CHUNK = 500;

interface Cable {
  ws: WebSocket;
  identifier: string;
}

function connect(port: number, token: string, roomId: string, onData: (m: unknown) => void) {
  return new Promise<Cable>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${String(port)}/cable`, 'actioncable-v1-json', {
      headers: { authorization: `Bearer ${token}` },
    });
    const identifier = JSON.stringify({ channel: 'RoomChannel', room: roomId });
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as {
        type?: string;
        identifier?: string;
        message?: unknown;
      };
      if (frame.type === 'welcome') ws.send(JSON.stringify({ command: 'subscribe', identifier }));
      else if (frame.type === 'confirm_subscription') resolve({ ws, identifier });
      else if (frame.type === 'reject_subscription') reject(new Error('subscription rejected'));
      else if (frame.type === undefined && frame.identifier === identifier) onData(frame.message);
    });
    ws.once('error', reject);
  });
}

function speak(cable: Cable, body: string, clientId: string): void {
  if (cable.ws.readyState !== WebSocket.OPEN) return;
  cable.ws.send(
    JSON.stringify({
      command: 'message',
      identifier: cable.identifier,
      data: JSON.stringify({ action: 'speak', body, client_id: clientId }),
    }),
  );
}

/** `count` users who never signed in, written in chunks (the big room's offline members). */
async function insertUsers(salon: Salon, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const now = Date.now();
  for (let start = 0; start < count; start += CHUNK) {
    await salon.db
      .insertInto('users')
      .values(
        ids.slice(start, start + CHUNK).map((id, i) => ({
          id,
          phone: `+1415${String(5_000_000 + start + i).padStart(7, '0')}`,
          name: null,
          created_at: now,
          last_seen_at: null,
          signed_in_at: null,
        })),
      )
      .execute();
  }
  return ids;
}

async function insertRoom(salon: Salon, members: string[]): Promise<string> {
  const roomId = randomUUID();
  const now = Date.now();
  const owner = members[0] ?? '';
  await salon.db
    .insertInto('rooms')
    .values({
      id: roomId,
      kind: 'group',
      name: 'bench',
      direct_key: null,
      created_by: owner,
      created_at: now,
      last_activity_at: now,
    })
    .execute();
  for (let start = 0; start < members.length; start += CHUNK) {
    await salon.db
      .insertInto('memberships')
      .values(
        members.slice(start, start + CHUNK).map((userId) => ({
          room_id: roomId,
          user_id: userId,
          role: userId === owner ? ('owner' as const) : ('member' as const),
          joined_at: now,
          accepted_at: now,
          invited_by: null,
        })),
      )
      .execute();
  }
  return roomId;
}

let phoneNo = 0;
async function signedIn(salon: Salon): Promise<{ id: string; token: string }> {
  const { token, user } = await salon.sessions.signIn(
    `+1415${String(7_000_000 + phoneNo++).padStart(7, '0')}`,
    'bench',
  );
  return { id: user.id, token };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface PhaseResult {
  server: string;
  phase: string;
  small_room_messages: number;
  /** Sent in the phase and not received within 15 s after it. */
  small_room_lost: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  flood_offered: number;
  flood_stored: number;
  flood_refused: number;
}

async function runServer(label: string, env: Record<string, string>): Promise<PhaseResult[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'salon-bench-flood-'));
  const salon = await createSalon(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SALON_DATA_DIR: dataDir,
      SALON_LOG_LEVEL: 'warn',
      // Every client here connects from 127.0.0.1.
      SALON_CABLE_MAX_CONNECTIONS_PER_IP: '100000',
      SALON_CABLE_CONNECTS_PER_IP_PER_SECOND: '100000',
      ...env,
    }),
  );
  const cables: Cable[] = [];
  try {
    const port = await salon.listen();
    const flooder = await signedIn(salon);
    const readers = await Promise.all(
      Array.from({ length: BIG_ROOM_READERS }, () => signedIn(salon)),
    );
    const offline = await insertUsers(salon, BIG_ROOM_MEMBERS - BIG_ROOM_READERS - 1);
    const bigRoom = await insertRoom(salon, [flooder.id, ...readers.map((r) => r.id), ...offline]);
    for (const r of readers) cables.push(await connect(port, r.token, bigRoom, () => undefined));

    let floodStored = 0;
    let floodRefused = 0;
    const floodCables: Cable[] = [];
    for (let i = 0; i < FLOOD_CONNECTIONS; i++) {
      const first = i === 0;
      const c = await connect(port, flooder.token, bigRoom, (m) => {
        const type = (m as { type?: string }).type;
        // A stored message reaches every connection of the room; count it on one.
        if (type === 'message' && first) floodStored++;
        else if (type === 'error') floodRefused++;
      });
      floodCables.push(c);
      cables.push(c);
    }

    // Small rooms: a sender and a receiver each; the receiver times each message.
    const sentAt = new Map<string, number>();
    let latencies: number[] = [];
    const senders: Cable[] = [];
    for (let i = 0; i < SMALL_ROOMS; i++) {
      const [a, b] = [await signedIn(salon), await signedIn(salon)];
      const room = await insertRoom(salon, [a.id, b.id]);
      const sender = await connect(port, a.token, room, (m) => {
        if ((m as { type?: string }).type === 'error')
          throw new Error(`small-room send refused: ${JSON.stringify(m)}`);
      });
      senders.push(sender);
      cables.push(sender);
      cables.push(
        await connect(port, b.token, room, (m) => {
          const msg = m as { type?: string; message?: { client_id?: string } };
          const id = msg.message?.client_id;
          if (msg.type !== 'message' || id === undefined) return;
          const t = sentAt.get(id);
          if (t !== undefined) latencies.push(performance.now() - t);
        }),
      );
    }

    const results: PhaseResult[] = [];
    let n = 0;
    // Before measuring: the first writes after setup (a WAL checkpoint of the 10,000 rows) stall.
    for (const s of senders) speak(s, 'warm up', `w${String(n++)}`);
    await new Promise((r) => setTimeout(r, 2000));
    for (const phase of ['quiet', 'flood'] as const) {
      latencies = [];
      const [stored0, refused0] = [floodStored, floodRefused];
      let offered = 0;
      const n0 = n;
      const timers: NodeJS.Timeout[] = [];
      timers.push(
        setInterval(() => {
          for (const s of senders) {
            const id = `s${String(n++)}`;
            sentAt.set(id, performance.now());
            speak(s, 'hello there', id);
          }
        }, SMALL_ROOM_INTERVAL_MS),
      );
      if (phase === 'flood') {
        for (const c of floodCables) {
          timers.push(
            setInterval(() => {
              speak(c, 'x'.repeat(200), `f${String(offered++)}`);
            }, FLOOD_INTERVAL_MS),
          );
        }
      }
      await new Promise((r) => setTimeout(r, PHASE_MS));
      for (const t of timers) clearInterval(t);
      // Every small-room message sent in the phase counts, however late it arrives (up to 15 s).
      const sent = n - n0;
      const deadline = performance.now() + 15_000;
      while (latencies.length < sent && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const sorted = [...latencies].sort((x, y) => x - y);
      results.push({
        server: label,
        phase,
        small_room_messages: sorted.length,
        small_room_lost: sent - sorted.length,
        p50_ms: Number(percentile(sorted, 50).toFixed(1)),
        p99_ms: Number(percentile(sorted, 99).toFixed(1)),
        max_ms: Number((sorted[sorted.length - 1] ?? NaN).toFixed(1)),
        flood_offered: offered,
        flood_stored: floodStored - stored0,
        flood_refused: floodRefused - refused0,
      });
    }
    return results;
  } finally {
    for (const c of cables) c.ws.terminate();
    await salon.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const started = Date.now();
const rows = [
  ...(await runServer('send rate on (10/s, burst 30)', {})),
  ...(await runServer('send rate off', {
    SALON_LIMIT_SENDS_PER_SECOND: '1000000',
    SALON_LIMIT_SEND_BURST: '1000000',
  })),
];
console.table(rows);
console.log(
  `${new Date().toISOString()}: ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
    `a ${String(BIG_ROOM_MEMBERS)}-member room (${String(BIG_ROOM_READERS)} connected), ` +
    `${String(SMALL_ROOMS)} small rooms at ${String(1000 / SMALL_ROOM_INTERVAL_MS)} msg/s each, ` +
    `flooder on ${String(FLOOD_CONNECTIONS)} connections.`,
);
