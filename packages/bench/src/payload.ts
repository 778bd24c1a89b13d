/** Times are milliseconds since the Unix epoch with microsecond precision (timeOrigin + now). */
export interface BenchPayload {
  type: 'bench';
  seq: number;
  /** When the orchestrator's fixed schedule meant this broadcast to start. */
  intended_ts: number;
  /** Set by the server just before it starts the fan-out. */
  sent_ts: number;
  /** Filler that brings the encoded payload to about PAYLOAD_BYTES. */
  pad: string;
}

/** Size of the encoded payload (UTF-8 bytes), give or take the width of the numbers. */
export const PAYLOAD_BYTES = 200;

const SKELETON = JSON.stringify({
  type: 'bench',
  seq: 0,
  intended_ts: 1_700_000_000_000.123,
  sent_ts: 1_700_000_000_000.123,
  pad: '',
});
const PAD = 'x'.repeat(Math.max(0, PAYLOAD_BYTES - SKELETON.length));

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Builds the payload for broadcast `seq`, stamping `sent_ts` now. */
export function makePayload(seq: number, intendedTs: number): BenchPayload {
  return { type: 'bench', seq, intended_ts: intendedTs, sent_ts: nowMs(), pad: PAD };
}

/** The payload inside a received value, or undefined if it is not one. */
export function asPayload(value: unknown): BenchPayload | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Partial<BenchPayload>;
  if (
    p.type !== 'bench' ||
    typeof p.seq !== 'number' ||
    typeof p.intended_ts !== 'number' ||
    typeof p.sent_ts !== 'number'
  ) {
    return undefined;
  }
  return p as BenchPayload;
}
