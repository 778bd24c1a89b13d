import { build, type Histogram } from 'hdr-histogram-js';
import type { GeneratorReport, LatencySummary } from './generator-report.js';
import type { BenchPayload } from './payload.js';

/** Largest latency a histogram tracks exactly, in µs (they resize beyond it). */
const HIGHEST_TRACKABLE_US = 120_000_000;

function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

function summarize(h: Histogram): LatencySummary {
  return {
    p50_us: h.getValueAtPercentile(50),
    p99_us: h.getValueAtPercentile(99),
    max_us: h.maxValue,
    mean_us: Math.round(h.mean),
  };
}

/**
 * Accounting for broadcasts `fromSeq` ≤ seq < `toSeq` to `clients` clients: which client got
 * which broadcast (a second copy is a duplicate, never a delivery), and, when recording, the
 * latency of each delivery from the intended and from the actual send time.
 */
export class DeliveryWindow {
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly expected: number;
  readonly #clients: number;
  readonly #record: boolean;
  /** One byte per (broadcast, client): 1 once delivered. */
  readonly #seen: Uint8Array;
  readonly #fromIntended = histogram();
  readonly #fromSent = histogram();
  #received = 0;
  #duplicates = 0;
  #other = 0;
  #closed = 0;
  #negative = 0;
  #bytes = 0;

  constructor(clients: number, fromSeq: number, toSeq: number, record: boolean) {
    this.#clients = clients;
    this.fromSeq = fromSeq;
    this.toSeq = toSeq;
    this.expected = clients * (toSeq - fromSeq);
    this.#record = record;
    this.#seen = new Uint8Array(this.expected);
  }

  get complete(): boolean {
    return this.#received === this.expected;
  }

  /** Counts one delivery; returns true if it completed the window. */
  delivery(client: number, payload: BenchPayload, receivedAt: number, bytes: number): boolean {
    const seq = payload.seq;
    if (seq < this.fromSeq || seq >= this.toSeq || !Number.isInteger(seq)) {
      this.#other++;
      return false;
    }
    const slot = (seq - this.fromSeq) * this.#clients + client;
    if (this.#seen[slot] === 1) {
      this.#duplicates++;
      return false;
    }
    this.#seen[slot] = 1;
    this.#received++;
    this.#bytes += bytes;
    if (this.#record) {
      this.#fromIntended.recordValue(this.#latencyUs(receivedAt - payload.intended_ts));
      this.#fromSent.recordValue(this.#latencyUs(receivedAt - payload.sent_ts));
    }
    return this.#received === this.expected;
  }

  other(): void {
    this.#other++;
  }

  closed(): void {
    this.#closed++;
  }

  report(): GeneratorReport {
    return {
      expected: this.expected,
      received: this.#received,
      duplicates: this.#duplicates,
      closed: this.#closed,
      other_frames: this.#other,
      negative_latencies: this.#negative,
      mean_frame_bytes: this.#received > 0 ? Math.round(this.#bytes / this.#received) : 0,
      from_intended: summarize(this.#fromIntended),
      from_sent: summarize(this.#fromSent),
    };
  }

  #latencyUs(ms: number): number {
    if (ms < 0) {
      this.#negative++;
      return 0;
    }
    return Math.round(ms * 1000);
  }
}
