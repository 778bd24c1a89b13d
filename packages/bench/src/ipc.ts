import type { ConnectInfo } from './connect-info.js';
import type { GeneratorReport } from './generator-report.js';

/** Orchestrator → server child. */
export type ServerCommand =
  /** Build the room with `clients` members' worth of accounts, listen, answer `ready`. */
  | { type: 'start'; clients: number }
  /** Broadcast one payload to the room now. `intended_ts`: ms since the epoch (µs precision). */
  | { type: 'trigger'; seq: number; intended_ts: number }
  /** Run a full garbage collection (children run with --expose-gc), answer `gc-done`. */
  | { type: 'gc' };

/** Server child → orchestrator. */
export type ServerEvent =
  | { type: 'ready'; connect: ConnectInfo }
  | { type: 'gc-done' }
  | { type: 'failed'; message: string };

/** Orchestrator → generator child. */
export type GeneratorCommand =
  /** Open `clients` connections, at most `concurrency` handshakes at a time; answer `connected`. */
  | { type: 'connect'; connect: ConnectInfo; clients: number; concurrency: number }
  /**
   * Count deliveries of broadcasts `from_seq` ≤ seq < `to_seq` (recording latencies if `record`),
   * answer `expecting` at once and `complete` when every client has received every one of them.
   */
  | { type: 'expect'; from_seq: number; to_seq: number; record: boolean }
  /** Answer `report` with what the current window received. */
  | { type: 'report' };

/** Generator child → orchestrator. */
export type GeneratorEvent =
  | { type: 'connected'; clients: number; elapsed_ms: number }
  | { type: 'expecting' }
  | { type: 'complete' }
  | { type: 'report'; report: GeneratorReport }
  | { type: 'failed'; message: string };

/** Whether `value` looks like one of our IPC messages (they come only from our own processes). */
export function isMessage(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
