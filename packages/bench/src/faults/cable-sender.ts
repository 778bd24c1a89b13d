import WebSocket from 'ws';
import type { Account } from './accounts.js';
import type { Ledger } from './ledger.js';

/** Messages sent and not yet acknowledged, at most: a person does not type ahead of the server. */
const WINDOW = 5;
/** A send without an answer this long is sent again (the node may have died holding it). */
const RESEND_AFTER_MS = 3000;
/**
 * A connection silent this long is taken for dead (the server pings every 3 s), as the SDK's
 * monitor does: a cut network sends no FIN, so nothing else would notice.
 */
const STALE_AFTER_MS = 9000;

interface Frame {
  type?: string;
  identifier?: string;
  message?: {
    type?: string;
    message?: { client_id?: string };
    client_id?: string;
    code?: string;
  };
}

/**
 * A WebSocket client (ActionCable v1 JSON, as the SDK speaks it) subscribed to one room and to
 * its own user stream, that speaks messages with client_ids. Its own message coming back on the
 * room stream, or a `message_ack` (a repeat), is the acknowledgement; a `message_failed`, a send
 * left unanswered, or a lost connection makes it send the same client_id again. It reconnects
 * with jittered backoff and resends everything unacknowledged once subscribed again.
 */
export class CableSender {
  readonly #who: Account;
  readonly #ledger: Ledger;
  readonly #wsUrl: () => string;
  readonly #room: string;
  readonly #user = JSON.stringify({ channel: 'UserChannel' });
  readonly #periodMs: number;
  /** client_id → when it was last sent (0: waiting to be sent again). */
  readonly #pending = new Map<string, number>();
  #ws: WebSocket | undefined;
  #subscribed = new Set<string>();
  #n = 0;
  #stopping = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #lastFrameAt = Date.now();
  /** Connections that opened, and those that ended without the client asking. */
  connects = 0;

  constructor(opts: {
    who: Account;
    roomId: string;
    ledger: Ledger;
    wsUrl: () => string;
    perSecond: number;
  }) {
    this.#who = opts.who;
    this.#ledger = opts.ledger;
    this.#wsUrl = opts.wsUrl;
    this.#room = JSON.stringify({ channel: 'RoomChannel', room: opts.roomId });
    this.#periodMs = 1000 / opts.perSecond;
  }

  start(): void {
    this.#connect();
    this.#timer = setInterval(() => this.#tick(), this.#periodMs);
  }

  /** Sends nothing new; keeps resending what is unacknowledged until it is, or `graceMs` passes. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    const deadline = Date.now() + graceMs;
    while (this.#pending.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    this.#closed = true;
    clearInterval(this.#timer);
    this.#ws?.terminate();
  }

  get unacknowledged(): number {
    return this.#pending.size;
  }

  get #ready(): boolean {
    return (
      this.#ws?.readyState === WebSocket.OPEN &&
      this.#subscribed.has(this.#room) &&
      this.#subscribed.has(this.#user)
    );
  }

  #connect(): void {
    if (this.#closed) return;
    this.#subscribed = new Set();
    const ws = new WebSocket(`${this.#wsUrl()}/cable`, 'actioncable-v1-json', {
      headers: { authorization: `Bearer ${this.#who.token}` },
      handshakeTimeout: 5000,
    });
    this.#ws = ws;
    this.#lastFrameAt = Date.now();
    ws.on('message', (data: Buffer) => {
      this.#lastFrameAt = Date.now();
      this.#onFrame(ws, JSON.parse(data.toString()) as Frame);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.#ws !== ws || this.#closed) return;
      this.#ledger.see('cable connection lost');
      // Jittered, growing backoff: 100-300 ms, doubling to at most ~2 s.
      const base = Math.min(2000, 100 * 2 ** this.#attempt++);
      setTimeout(() => this.#connect(), base * (1 + Math.random() * 2) * 0.5 + 50);
    });
  }

  #onFrame(ws: WebSocket, f: Frame): void {
    if (f.type === 'welcome') {
      this.connects++;
      for (const identifier of [this.#room, this.#user])
        ws.send(JSON.stringify({ command: 'subscribe', identifier }));
      return;
    }
    if (f.type === 'confirm_subscription' && f.identifier) {
      this.#subscribed.add(f.identifier);
      if (this.#ready) {
        this.#attempt = 0;
        for (const id of this.#pending.keys()) this.#pending.set(id, 0);
      }
      return;
    }
    if (f.type === 'reject_subscription') {
      this.#ledger.see('cable subscription rejected');
      ws.close();
      return;
    }
    if (f.type === 'disconnect') {
      this.#ledger.see('cable disconnect frame');
      return;
    }
    const m = f.message;
    if (!m || f.type !== undefined) return;
    if (f.identifier === this.#room && m.type === 'message' && m.message?.client_id)
      this.#acked(m.message.client_id);
    else if (f.identifier === this.#user && m.type === 'message_ack' && m.message?.client_id)
      this.#acked(m.message.client_id);
    else if (f.identifier === this.#user && m.type === 'message_failed' && m.client_id) {
      if (!this.#pending.has(m.client_id)) return;
      this.#ledger.see(`cable message_failed ${m.code ?? '(no code)'}`);
      const sentAt = this.#pending.get(m.client_id) ?? 0;
      if (sentAt > 0) this.#ledger.refusalMs.push(Date.now() - sentAt);
      // Sent again on the next tick but one: a short pause, like the HTTP client's.
      this.#pending.set(m.client_id, Date.now() - RESEND_AFTER_MS + 300);
    } else if (f.identifier === this.#room && m.type === 'error') {
      this.#ledger.see(`cable error ${m.code ?? '(no code)'}`);
    }
  }

  #acked(clientId: string): void {
    if (!this.#pending.delete(clientId)) return;
    this.#ledger.ack(`${this.#who.name}/${clientId}`);
  }

  #tick(): void {
    if (this.#ws && Date.now() - this.#lastFrameAt > STALE_AFTER_MS) {
      this.#ledger.see('cable connection silent, dropped by the client');
      this.#lastFrameAt = Date.now();
      // 'close' follows and reconnects.
      this.#ws.terminate();
      return;
    }
    if (!this.#ready) return;
    const now = Date.now();
    for (const [id, sentAt] of this.#pending) if (now - sentAt >= RESEND_AFTER_MS) this.#speak(id);
    if (!this.#stopping && this.#pending.size < WINDOW)
      this.#speak(`${this.#who.name}-c${String(this.#n++)}`);
  }

  #speak(clientId: string): void {
    this.#pending.set(clientId, Date.now());
    this.#ledger.send(`${this.#who.name}/${clientId}`);
    this.#ws?.send(
      JSON.stringify({
        command: 'message',
        identifier: this.#room,
        data: JSON.stringify({
          action: 'speak',
          body: `fault test ${clientId}`,
          client_id: clientId,
        }),
      }),
    );
  }
}
