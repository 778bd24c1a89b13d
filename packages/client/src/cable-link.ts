import {
  createCable,
  FallbackTransport,
  WebSocketTransport,
  type Cable,
  type Transport,
} from '@anycable/core';
import { PROTOCOL_EXT } from '@salon/protocol';
import type { ApiClient } from './api-client.js';
import { Listeners } from './emitter.js';
import { LongPollingTransport } from './long-polling-transport.js';
import type { ConnectionStatus, TransportName, Unsubscribe } from './types.js';

export interface CableLinkOptions {
  WebSocket?: unknown;
  transports: TransportName[];
}

/**
 * @anycable/core's fallback transport rejects `close()` when no transport is open (a stop while
 * still connecting), and the cable does not observe that promise: an unhandled rejection that
 * ends a Node process and litters a browser console. Closing nothing is not an error here.
 */
class QuietFallbackTransport extends FallbackTransport {
  override async close(): Promise<void> {
    if ((this as unknown as { transport: Transport | null }).transport === null) return;
    await super.close();
  }
}

/**
 * The persistent connection, built on @anycable/core: its monitor reconnects with jittered
 * backoff, its ext protocol restores sessions and replays stream history; Salon adds the
 * long-polling fallback and connect tickets (token mode). WebSocket is tried first on every
 * (re)connect, long polling when it cannot connect.
 */
export class CableLink {
  readonly cable: Cable;
  readonly #ws: Transport | undefined;
  readonly #lp: Transport | undefined;
  readonly #fallback: FallbackTransport | undefined;
  #status: ConnectionStatus = { state: 'idle', transport: null };
  readonly #statusListeners = new Listeners<[ConnectionStatus]>();
  readonly #reconnectListeners = new Listeners();

  constructor(api: ApiClient, opts: CableLinkOptions) {
    const wsUrl = `${api.baseUrl.replace(/^http/, 'ws')}/cable`;
    const pollUrl = `${api.baseUrl}/cable/poll?protocol=${PROTOCOL_EXT}`;
    const candidates: Transport[] = [];
    if (opts.transports.includes('websocket')) {
      this.#ws = new WebSocketTransport(wsUrl, {
        websocketImplementation:
          opts.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket,
        subprotocol: PROTOCOL_EXT,
        format: 'text',
      });
      candidates.push(this.#ws);
    }
    if (opts.transports.includes('long_polling')) {
      this.#lp = new LongPollingTransport(pollUrl, { headers: () => api.authHeaders() });
      candidates.push(this.#lp);
    }
    const first = candidates[0];
    if (!first) throw new Error('SalonClient: at least one transport is needed');
    this.#fallback = candidates.length > 1 ? new QuietFallbackTransport(candidates) : undefined;
    this.cable = createCable({
      transport: this.#fallback ?? first,
      protocol: PROTOCOL_EXT,
      logLevel: 'error',
      // Token mode: a fresh short-lived ticket before every connect; the token stays out of URLs.
      transportConfigurator: async (transport: Transport) => {
        // connect() holds its promise unobserved while it awaits this and then the transport:
        // a stop() meanwhile would reject it unhandled, which ends a Node process. Observe it.
        (this.cable as unknown as { pendingConnect(): Promise<void> })
          .pendingConnect()
          .catch(() => undefined);
        if (api.auth !== 'token') return;
        const { ticket } = await api.request<{ ticket: string }>('POST', '/api/cable/tickets');
        transport.setToken(ticket, 'ticket');
      },
    });
    this.cable.on('connect', (ev) => {
      this.#set({ state: 'connected', transport: this.#currentTransport() });
      if (ev.reconnect) this.#reconnectListeners.emit();
    });
    this.cable.on('disconnect', () => this.#set({ state: 'reconnecting', transport: null }));
    this.cable.on('close', () => this.#set({ state: 'disconnected', transport: null }));
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  onStatus(listener: (status: ConnectionStatus) => void): Unsubscribe {
    return this.#statusListeners.add(listener);
  }

  /** After every reconnect (not the first connect): time to recover what was missed. */
  onReconnect(listener: () => void): Unsubscribe {
    return this.#reconnectListeners.add(listener);
  }

  start(): void {
    if (this.#status.state === 'idle' || this.#status.state === 'disconnected') {
      this.#set({ state: 'connecting', transport: null });
    }
    this.cable.connect().catch(() => {
      // The monitor retries with backoff; the status shows it.
    });
  }

  stop(): void {
    this.cable.disconnect();
    this.#set({ state: 'idle', transport: null });
  }

  #currentTransport(): TransportName {
    const current = this.#fallback
      ? (this.#fallback as unknown as { transport: Transport | null }).transport
      : (this.#ws ?? this.#lp);
    return current === this.#lp ? 'long_polling' : 'websocket';
  }

  #set(status: ConnectionStatus): void {
    if (status.state === this.#status.state && status.transport === this.#status.transport) return;
    this.#status = status;
    this.#statusListeners.emit(status);
  }
}
