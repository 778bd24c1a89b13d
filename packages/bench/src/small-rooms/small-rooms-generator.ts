import hdr from 'hdr-histogram-js';
import { isMessage } from '../ipc.js';
import { runOpenLoop } from '../open-loop.js';
import { nowMs } from '../payload.js';
import { cpuBetween, sampleCpu } from '../proc-stats.js';
import { openRoomClient, type RoomClient } from './room-clients.js';
import type {
  RoomsConnect,
  RoomsGeneratorCommand,
  RoomsGeneratorEvent,
  RoomsRunReport,
} from './small-rooms-ipc.js';

/**
 * The load side of the small-rooms benchmark: every member of every room in this one process;
 * member 0 of each room speaks on a fixed schedule (open loop: a late message keeps its intended
 * time), and every member times each message from that intended time to its arrival.
 */
const send = (event: RoomsGeneratorEvent): void => {
  process.send?.(event);
};
/** Handshakes in flight at once while connecting. */
const CONNECT_CONCURRENCY = 200;
/** How long the last message may take to reach everyone before the run gives up on it. */
const DRAIN_MS = 30_000;
const BODY = 'x'.repeat(100);

let members: RoomClient[][] = [];
/** client_id → [intended send time (ms), deliveries still expected]. */
const inFlight = new Map<string, [number, number]>();
let membersPerRoom = 0;
let delivered = 0;
let recording = false;
let onDelivered: (() => void) | undefined;
const newHistogram = (): hdr.Histogram =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
let latency = newHistogram();

function received(clientId: string, receivedAt: number): void {
  const entry = inFlight.get(clientId);
  if (!entry) return;
  delivered++;
  if (recording) latency.recordValue(Math.max(1, Math.round((receivedAt - entry[0]) * 1000)));
  if (--entry[1] === 0) inFlight.delete(clientId);
  onDelivered?.();
}

async function connect(target: RoomsConnect, rooms: number, perRoom: number): Promise<void> {
  membersPerRoom = perRoom;
  members = Array.from({ length: rooms }, () => []);
  const slots = Array.from({ length: rooms * perRoom }, (_, i) => i);
  const worker = async (): Promise<void> => {
    for (let slot = slots.shift(); slot !== undefined; slot = slots.shift()) {
      const room = Math.floor(slot / perRoom);
      const member = slot % perRoom;
      const client = await openRoomClient(target, room, member, slot, received);
      const list = members[room];
      if (list) list[member] = client;
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
}

async function run(count: number, periodMs: number, record: boolean): Promise<RoomsRunReport> {
  latency = newHistogram();
  recording = record;
  delivered = 0;
  const expected = count * membersPerRoom;
  const cpuBefore = sampleCpu(process.pid);
  const start = nowMs();
  const prefix = `r${String(Math.round(start))}-`;
  const allDelivered = new Promise<void>((resolve) => {
    onDelivered = () => {
      if (delivered >= expected) resolve();
    };
  });
  const maxLag = await runOpenLoop({
    firstSeq: 0,
    count,
    perSecond: (members.length * 1000) / periodMs,
    trigger: (seq, intended) => {
      const sender = members[seq % members.length]?.[0];
      if (!sender) return;
      const clientId = `${prefix}${String(seq)}`;
      inFlight.set(clientId, [intended, membersPerRoom]);
      sender.speak(clientId, BODY);
    },
  });
  await Promise.race([allDelivered, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
  onDelivered = undefined;
  inFlight.clear();
  const cpu = cpuBetween(cpuBefore, sampleCpu(process.pid));
  const ms = (percentile: number): number => latency.getValueAtPercentile(percentile) / 1000;
  return {
    sent: count,
    expected,
    delivered,
    p50_ms: ms(50),
    p99_ms: ms(99),
    p999_ms: ms(99.9),
    max_ms: latency.maxValue / 1000,
    elapsed_ms: nowMs() - start,
    generator_cpu_share: cpu.share,
    max_send_lag_ms: maxLag,
  };
}

process.on('message', (raw: unknown) => {
  if (!isMessage(raw)) return;
  const command = raw as RoomsGeneratorCommand;
  const handle = async (): Promise<void> => {
    if (command.type === 'connect') {
      const started = nowMs();
      await connect(command.connect, command.rooms, command.members);
      send({ type: 'connected', elapsed_ms: nowMs() - started });
    } else {
      send({ type: 'done', report: await run(command.count, command.period_ms, command.record) });
    }
  };
  handle().catch((err: unknown) => send({ type: 'failed', message: String(err) }));
});

process.on('disconnect', () => {
  for (const room of members) for (const client of room) client.close();
  process.exit(0);
});
