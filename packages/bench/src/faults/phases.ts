import type { Ledger } from './ledger.js';

/**
 * Splits a scenario's run into named phases and says, for each, what clients saw in it and how
 * many messages were acknowledged: "Redis restarted: cable connection lost ×3, 120 acknowledged".
 */
export class Phases {
  readonly #ledger: Ledger;
  readonly notes: string[] = [];
  #name = '';
  #seen = new Map<string, number>();
  #acked = 0;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  begin(name: string): void {
    this.#close();
    this.#name = name;
    this.#seen = new Map(this.#ledger.seen);
    this.#acked = this.#ledger.acked.size;
  }

  end(): void {
    this.#close();
    this.#name = '';
  }

  #close(): void {
    if (this.#name === '') return;
    const seen = [...this.#ledger.seen]
      .map(([k, n]) => [k, n - (this.#seen.get(k) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ×${String(n)}`);
    const acked = this.#ledger.acked.size - this.#acked;
    this.notes.push(
      `${this.#name}: ${String(acked)} acknowledged; clients saw ${seen.length > 0 ? seen.join(', ') : 'nothing else'}`,
    );
  }
}
