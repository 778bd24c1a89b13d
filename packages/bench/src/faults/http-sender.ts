import type { Account } from './accounts.js';
import type { Ledger } from './ledger.js';
import { sleep } from './salon-process.js';

/** How long one HTTP send may take before the client gives up on it and sends it again. */
const REQUEST_TIMEOUT_MS = 5000;
/** Longest pause before a retry, whatever Retry-After says (the scripts are short). */
const MAX_RETRY_PAUSE_MS = 1000;

/**
 * A client that posts messages one at a time, `POST /api/rooms/:id/messages` with a client_id,
 * and sends the same client_id again until it gets a 201: after a refusal (waiting Retry-After,
 * capped), a dropped connection or a timeout. A 201 (or 200 for a repeat) is the acknowledgement.
 */
export class HttpSender {
  readonly #who: Account;
  readonly #roomId: string;
  readonly #ledger: Ledger;
  readonly #baseUrl: () => string;
  readonly #pauseMs: number;
  #n = 0;
  #stopping = false;
  #giveUpAt = Infinity;
  #loop: Promise<void> | undefined;

  /** `baseUrl` is asked before every request: a client may move to another node. */
  constructor(opts: {
    who: Account;
    roomId: string;
    ledger: Ledger;
    baseUrl: () => string;
    perSecond: number;
  }) {
    this.#who = opts.who;
    this.#roomId = opts.roomId;
    this.#ledger = opts.ledger;
    this.#baseUrl = opts.baseUrl;
    this.#pauseMs = 1000 / opts.perSecond;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Sends nothing new; the message in flight is still retried until acknowledged or until
   * `graceMs` has passed.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#giveUpAt = Date.now() + graceMs;
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      await this.#deliver(`${this.#who.name}-h${String(this.#n++)}`);
      await sleep(this.#pauseMs);
    }
  }

  async #deliver(clientId: string): Promise<void> {
    const key = `${this.#who.name}/${clientId}`;
    while (Date.now() < this.#giveUpAt) {
      this.#ledger.send(key);
      const t0 = Date.now();
      let pause = 200;
      try {
        const res = await fetch(`${this.#baseUrl()}/api/rooms/${this.#roomId}/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${this.#who.token}`,
          },
          body: JSON.stringify({ body: `fault test ${clientId}`, client_id: clientId }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        // 201: stored now; 200: a repeat of a client_id stored earlier (its first answer was lost).
        if (res.status === 201 || res.status === 200) {
          this.#ledger.ack(key);
          return;
        }
        this.#ledger.refusalMs.push(Date.now() - t0);
        const code = codeOf(text);
        const retryAfter = res.headers.get('retry-after');
        this.#ledger.see(
          `HTTP ${String(res.status)} ${code}${retryAfter === null ? ' (no Retry-After)' : ''}`,
        );
        if (retryAfter !== null) pause = Math.min(MAX_RETRY_PAUSE_MS, Number(retryAfter) * 1000);
      } catch (err) {
        this.#ledger.see(`HTTP ${errorLabel(err)}`);
      }
      await sleep(pause);
    }
  }
}

function codeOf(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '(no code)';
  } catch {
    return '(not JSON)';
  }
}

/** A short label for a failed fetch: timeout, refused, reset… */
export function errorLabel(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  if (cause?.code) return `network error ${cause.code}`;
  return 'network error';
}
