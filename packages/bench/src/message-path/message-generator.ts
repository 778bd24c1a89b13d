import hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { isMessage } from '../ipc.js';
import { runOpenLoop } from '../open-loop.js';
import { nowMs } from '../payload.js';
import { cpuBetween, sampleCpu } from '../proc-stats.js';
import type {
  MpGeneratorCommand,
  MpGeneratorEvent,
  MpRunReport,
  SenderAccount,
} from './messages-ipc.js';

/**
 * The load side of the message-path benchmark: one connection per sender, each subscribed to its
 * own room; sends `speak` on a fixed schedule round-robin over the connections and times each
 * message from its intended (and actual) send time to its acknowledging broadcast.
 */
interface Sender {
  ws: WebSocket;
  identifier: string;
}

const send = (event: MpGeneratorEvent): void => {
  process.send?.(event);
};
let senders: Sender[] = [];
/** client_id → [intended, actual] send times (ms). */
const inFlight = new Map<string, [number, number]>();
let recording = false;
let acked = 0;
/** Speaks answered with an error frame, by code. */
let refused: Record<string, number> = {};
let onAck: (() => void) | undefined;
let fromIntended = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
});
let fromActual = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
});

function connect(url: string, account: SenderAccount): Promise<Sender> {
  return new Promise((resolve, reject) => {
    const identifier = JSON.stringify({ channel: 'RoomChannel', room: account.room_id });
    const ws = new WebSocket(url, ['actioncable-v1-json'], {
      headers: { authorization: `Bearer ${account.token}` },
    });
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as {
        type?: string;
        message?: {
          type?: string;
          message?: { client_id?: string };
          code?: string;
          client_id?: string;
        };
      };
      if (frame.type === 'welcome') {
        ws.send(JSON.stringify({ command: 'subscribe', identifier }));
      } else if (frame.type === 'confirm_subscription') {
        resolve({ ws, identifier });
      } else if (frame.message?.type === 'message') {
        const clientId = frame.message.message?.client_id ?? '';
        const times = inFlight.get(clientId);
        if (!times) return;
        inFlight.delete(clientId);
        acked++;
        if (recording) {
          const now = nowMs();
          fromIntended.recordValue(Math.max(1, Math.round((now - times[0]) * 1000)));
          fromActual.recordValue(Math.max(1, Math.round((now - times[1]) * 1000)));
        }
        onAck?.();
      } else if (frame.message?.type === 'error' && frame.message.client_id !== undefined) {
        // A speak the server refused (busy, rate limited): answered, not stored.
        if (!inFlight.delete(frame.message.client_id)) return;
        const code = frame.message.code ?? 'UNKNOWN';
        refused[code] = (refused[code] ?? 0) + 1;
        onAck?.();
      }
    });
  });
}

function refusedCount(): number {
  return Object.values(refused).reduce((a, b) => a + b, 0);
}

async function run(perSecond: number, count: number, record: boolean): Promise<MpRunReport> {
  fromIntended = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  fromActual = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  recording = record;
  acked = 0;
  refused = {};
  const cpuBefore = sampleCpu(process.pid);
  const start = nowMs();
  const allAcked = new Promise<void>((resolve) => {
    onAck = () => {
      if (acked + refusedCount() >= count) resolve();
    };
  });
  const prefix = `${String(Math.round(start))}-`;
  const maxLag = await runOpenLoop({
    firstSeq: 0,
    count,
    perSecond,
    trigger: (seq, intended) => {
      const sender = senders[seq % senders.length];
      if (!sender) return;
      const clientId = `${prefix}${String(seq)}`;
      inFlight.set(clientId, [intended, nowMs()]);
      sender.ws.send(
        JSON.stringify({
          command: 'message',
          identifier: sender.identifier,
          data: JSON.stringify({
            action: 'speak',
            body: `bench message ${String(seq)} ${'x'.repeat(100)}`,
            client_id: clientId,
          }),
        }),
      );
    },
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 30_000));
  await Promise.race([allAcked, timeout]);
  onAck = undefined;
  const elapsed = nowMs() - start;
  const cpu = cpuBetween(cpuBefore, sampleCpu(process.pid));
  inFlight.clear();
  return {
    sent: count,
    acked,
    refused,
    p50_ms: fromIntended.getValueAtPercentile(50) / 1000,
    p99_ms: fromIntended.getValueAtPercentile(99) / 1000,
    actual_p50_ms: fromActual.getValueAtPercentile(50) / 1000,
    actual_p99_ms: fromActual.getValueAtPercentile(99) / 1000,
    elapsed_ms: elapsed,
    generator_cpu_share: cpu.share,
    max_send_lag_ms: maxLag,
  };
}

let probes = 0;

/** One speak on the first connection, timed from its send to its acknowledging broadcast (ms). */
async function probe(): Promise<number> {
  const sender = senders[0];
  if (!sender) throw new Error('probe: not connected');
  const clientId = `probe-${String(process.pid)}-${String(++probes)}`;
  recording = false;
  let ackedAt = 0;
  const ackedOnce = new Promise<void>((resolve) => {
    onAck = () => {
      ackedAt = nowMs();
      resolve();
    };
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('probe: no broadcast within 30 s')), 30_000);
  });
  const sentAt = nowMs();
  inFlight.set(clientId, [sentAt, sentAt]);
  sender.ws.send(
    JSON.stringify({
      command: 'message',
      identifier: sender.identifier,
      data: JSON.stringify({
        action: 'speak',
        body: `probe ${'x'.repeat(100)}`,
        client_id: clientId,
      }),
    }),
  );
  try {
    await Promise.race([ackedOnce, timeout]);
  } finally {
    clearTimeout(timer);
    onAck = undefined;
  }
  return ackedAt - sentAt;
}

process.on('message', (raw: unknown) => {
  if (!isMessage(raw)) return;
  const command = raw as MpGeneratorCommand;
  const handle = async (): Promise<void> => {
    if (command.type === 'connect') {
      // A new server (the first-message scenario restarts it): the old one closed these.
      for (const s of senders) s.ws.terminate();
      senders = [];
      for (const account of command.accounts) senders.push(await connect(command.url, account));
      send({ type: 'connected' });
    } else if (command.type === 'probe') {
      send({ type: 'probed', ms: await probe() });
    } else {
      send({ type: 'done', report: await run(command.per_second, command.count, command.record) });
    }
  };
  handle().catch((err: unknown) => send({ type: 'failed', message: String(err) }));
});

process.on('disconnect', () => {
  for (const s of senders) s.ws.terminate();
  process.exit(0);
});
