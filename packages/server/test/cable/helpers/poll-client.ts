import type { TestServer } from '../../helpers/salon-server.js';
import type { Frame, FramePredicate } from './raw-client.js';

export const POLL_PATH = '/cable/poll';
export const POLL_ID_HEADER = 'x-salon-poll-id';
export const POLL_CURSOR_HEADER = 'x-salon-poll-cursor';

export interface PollResponse {
  status: number;
  frames: Frame[];
  /** The cursor the server returned (acknowledges `frames` when sent back), if any. */
  cursor: number | undefined;
  pollId: string | undefined;
}

export interface PollAuth {
  token?: string;
  ticket?: string;
  headers?: Record<string, string>;
}

/**
 * A long-polling client as cable.routes.ts documents the transport: every request is
 * `POST /cable/poll` with the client's commands as JSON lines; the first one authenticates and
 * returns `x-salon-poll-id`; each answer carries `x-salon-poll-cursor`, sent back on the next
 * poll to acknowledge what arrived. Polls are sequential: one in flight at a time.
 */
export class PollClient {
  readonly #server: TestServer;
  readonly #auth: PollAuth;
  pollId: string | undefined;
  cursor = 0;
  /** Every frame received, in order. */
  readonly received: Frame[] = [];
  #queue: Frame[] = [];
  #outbox: string[] = [];

  constructor(server: TestServer, auth: PollAuth = {}) {
    this.#server = server;
    this.#auth = auth;
  }

  /** Queues a command for the next poll. */
  send(command: object | string): void {
    this.#outbox.push(typeof command === 'string' ? command : JSON.stringify(command));
  }

  subscribe(identifier: string): void {
    this.send({ command: 'subscribe', identifier });
  }

  perform(identifier: string, data: object): void {
    this.send({ command: 'message', identifier, data: JSON.stringify(data) });
  }

  /**
   * One poll: sends the queued commands and acknowledges `cursor` (default: everything received
   * so far). The server holds it until a frame arrives or SALON_POLL_WAIT_SECONDS pass.
   */
  async poll(options: { cursor?: number } = {}): Promise<PollResponse> {
    const body = this.#outbox.map((c) => `${c}\n`).join('');
    this.#outbox = [];
    const url = new URL(POLL_PATH, this.#server.url);
    if (this.#auth.ticket !== undefined && this.pollId === undefined)
      url.searchParams.set('ticket', this.#auth.ticket);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-ndjson',
        ...(this.#auth.token !== undefined ? { authorization: `Bearer ${this.#auth.token}` } : {}),
        ...(this.pollId !== undefined ? { [POLL_ID_HEADER]: this.pollId } : {}),
        [POLL_CURSOR_HEADER]: String(options.cursor ?? this.cursor),
        ...this.#auth.headers,
      },
      body,
    });
    const text = await res.text();
    const frames = text
      .split('\n')
      .filter((l) => l !== '')
      .map((raw) => ({ ...(JSON.parse(raw) as Omit<Frame, 'raw'>), raw }));
    const pollId = res.headers.get(POLL_ID_HEADER) ?? undefined;
    const cursorHeader = res.headers.get(POLL_CURSOR_HEADER);
    const cursor = cursorHeader === null ? undefined : Number(cursorHeader);
    if (pollId !== undefined) this.pollId = pollId;
    if (cursor !== undefined) this.cursor = cursor;
    this.received.push(...frames);
    this.#queue.push(...frames);
    return { status: res.status, frames, cursor, pollId };
  }

  /** Polls until a frame matching `predicate` has arrived, or throws at the deadline. */
  async nextFrame(predicate: FramePredicate = () => true, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#queue.findIndex(predicate);
      if (i >= 0) return this.#queue.splice(i, 1)[0]!;
      if (Date.now() >= deadline)
        throw new Error(
          `no matching frame within ${String(timeoutMs)} ms; queued: ${this.#queue.map((f) => f.raw).join(' | ') || 'none'}`,
        );
      const res = await this.poll();
      if (res.status !== 200)
        throw new Error(
          `poll answered ${String(res.status)}: ${res.frames.map((f) => f.raw).join(' ')}`,
        );
    }
  }

  async subscribed(identifier: string): Promise<void> {
    this.subscribe(identifier);
    const answer = await this.nextFrame(
      (f) =>
        f.identifier === identifier &&
        (f.type === 'confirm_subscription' || f.type === 'reject_subscription'),
    );
    if (answer.type !== 'confirm_subscription')
      throw new Error(`subscription to ${identifier} was rejected`);
  }

  take(predicate: FramePredicate = () => true): Frame[] {
    const taken = this.#queue.filter(predicate);
    this.#queue = this.#queue.filter((f) => !predicate(f));
    return taken;
  }
}
