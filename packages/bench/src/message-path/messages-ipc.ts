/** IPC of the message-path benchmark (orchestrator ↔ server child, orchestrator ↔ generator child). */

export interface SenderAccount {
  token: string;
  room_id: string;
}

export type MpServerCommand =
  | { type: 'start'; senders: number }
  /** Listen on data made by an earlier server (BENCH_DATA_DIR / BENCH_PG_DATABASE): a restart. */
  | { type: 'listen' }
  /** Start measuring event-loop delay; answer with the number of stored messages. */
  | { type: 'window-start' }
  /** Stop measuring; answer with the delays and the number of stored messages. */
  | { type: 'window-end' };

export type MpServerEvent =
  | { type: 'ready'; url: string; accounts: SenderAccount[] }
  | { type: 'window-started'; stored: number }
  | {
      type: 'window';
      loop_p50_ms: number;
      loop_p99_ms: number;
      loop_max_ms: number;
      stored: number;
    }
  | { type: 'failed'; message: string };

export type MpGeneratorCommand =
  | { type: 'connect'; url: string; accounts: SenderAccount[] }
  /** Send `count` speaks at `per_second` (open loop), wait for every acknowledgement. */
  | { type: 'run'; per_second: number; count: number; record: boolean }
  /** Send one speak on the first connection; answer with the time to its broadcast. */
  | { type: 'probe' };

export interface MpRunReport {
  sent: number;
  acked: number;
  /** Speaks the server answered with an error frame instead of storing them, by code. */
  refused: Record<string, number>;
  /** From the intended send time (no coordinated omission). */
  p50_ms: number;
  p99_ms: number;
  /** From the actual send time. */
  actual_p50_ms: number;
  actual_p99_ms: number;
  elapsed_ms: number;
  generator_cpu_share: number;
  max_send_lag_ms: number;
}

export type MpGeneratorEvent =
  | { type: 'connected' }
  | { type: 'done'; report: MpRunReport }
  /** Milliseconds from sending the probe to receiving its broadcast. */
  | { type: 'probed'; ms: number }
  | { type: 'failed'; message: string };
