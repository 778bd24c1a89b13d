/**
 * What the fault scripts' clients did and saw: every client_id they sent, the ones the server
 * acknowledged, and a tally of everything else that came back (errors by code, dropped
 * connections). The stored side is counted from the database afterwards (stored-count.ts).
 */
export class Ledger {
  /** `<sender>/<client_id>` of every message sent at least once. */
  readonly sent = new Set<string>();
  /** `<sender>/<client_id>` of every message the server acknowledged (201, or its broadcast). */
  readonly acked = new Set<string>();
  /** Sends of a client_id beyond its first (retries after an error, a timeout or a reconnect). */
  resends = 0;
  /** What clients saw that was not an acknowledgement, by a short label. */
  readonly seen = new Map<string, number>();
  /** Milliseconds from a send to its refusal (an error answer), for each refusal. */
  readonly refusalMs: number[] = [];
  /** Acknowledgements by when they came, ms since the ledger was made (for phases). */
  readonly ackTimes: number[] = [];
  readonly #t0 = Date.now();

  see(label: string): void {
    this.seen.set(label, (this.seen.get(label) ?? 0) + 1);
  }

  send(key: string): void {
    if (this.sent.has(key)) this.resends++;
    else this.sent.add(key);
  }

  ack(key: string): void {
    if (this.acked.has(key)) return;
    this.acked.add(key);
    this.ackTimes.push(Date.now() - this.#t0);
  }

  /** Acknowledgements at or after `sinceMs` (ms on this ledger's clock, see `now`). */
  ackedSince(sinceMs: number): number {
    return this.ackTimes.filter((t) => t >= sinceMs).length;
  }

  now(): number {
    return Date.now() - this.#t0;
  }
}
