/** Latency percentiles in microseconds. */
export interface LatencySummary {
  p50_us: number;
  p99_us: number;
  max_us: number;
  mean_us: number;
}

/** What the generator saw during one measured window. */
export interface GeneratorReport {
  /** Deliveries expected: clients × broadcasts in the window. */
  expected: number;
  /** Deliveries received for broadcasts in the window (duplicates excluded). */
  received: number;
  /** Deliveries of a broadcast a client had already received. */
  duplicates: number;
  /** Connections that closed after the room was joined (each one a failure). */
  closed: number;
  /** Frames that were not a delivery of the window (pings, strays), ignored. */
  other_frames: number;
  /** Deliveries whose receive time was before the reference time (clock trouble), clamped to 0. */
  negative_latencies: number;
  /** Mean size of a delivery's frame payload, in bytes. */
  mean_frame_bytes: number;
  /** Latency from the schedule's intended time to receipt. */
  from_intended: LatencySummary;
  /** Latency from the server's stamp just before fan-out to receipt. */
  from_sent: LatencySummary;
}
