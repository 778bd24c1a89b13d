import type { TargetId } from './target.js';

/** One target, one fan-out scenario, one run. Times in µs unless the name says otherwise. */
export interface FanoutTrialResult {
  kind: 'fanout';
  target: TargetId;
  scenario: string;
  run: number;
  clients: number;
  broadcasts: number;
  expected_deliveries: number;
  received_deliveries: number;
  /** Expected deliveries that never arrived within the drain timeout: failures. */
  missing_deliveries: number;
  duplicate_deliveries: number;
  /** Connections that closed during the window: failures. */
  closed_connections: number;
  /** Wall time from the first measured trigger to the last delivery (or the drain timeout), s. */
  window_s: number;
  deliveries_per_s: number;
  server_cpu_us_per_delivery: number;
  /** Server CPU over the window as a share of its core (0..1). */
  server_cpu_share: number;
  /** Generator CPU over the window as a share of its core (0..1). */
  generator_cpu_share: number;
  /** Above 85 % of its core: latency and throughput measure the generator, not the server. */
  generator_saturated: boolean;
  latency_intended_p50_us: number;
  latency_intended_p99_us: number;
  latency_intended_max_us: number;
  latency_sent_p50_us: number;
  latency_sent_p99_us: number;
  /** Server VmRSS after the window, and its peak (VmHWM), KiB. */
  server_rss_kb: number;
  server_hwm_kb: number;
  /** Mean size of a delivered frame's payload, bytes. */
  frame_bytes: number;
  /** Largest delay between a trigger's intended time and its IPC send, ms. */
  trigger_lag_max_ms: number;
  /**
   * CPU used during the window by everything but the server and the generator (orchestrator,
   * kernel threads, other work on the machine), in cores; and vCPU time stolen by the host.
   * High values mean a noisy run.
   */
  other_cpu_cores: number;
  steal_cpu_cores: number;
  /** Deliveries stamped as received before they were sent (clock trouble); should be 0. */
  negative_latencies: number;
}

/** One target, the idle-memory scenario, one run. */
export interface IdleTrialResult {
  kind: 'idle';
  target: TargetId;
  scenario: string;
  run: number;
  clients: number;
  /** Server VmRSS (after a forced GC) before and after the connections joined, KiB. */
  rss_before_kb: number;
  rss_after_kb: number;
  /** (after − before) ÷ clients, bytes. */
  rss_per_connection_bytes: number;
  /** Time for the generator to open and join every connection, ms. */
  connect_ms: number;
  /**
   * Server CPU (user + system) while the connections opened, ÷ clients, µs: for Salon the
   * upgrade with its bearer token, the welcome and one subscription; for the peers their own
   * handshake and join.
   */
  connect_cpu_us_per_connection: number;
}

export type TrialResult = FanoutTrialResult | IdleTrialResult;
