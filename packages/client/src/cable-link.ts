import {
  ActionCableExtendedProtocol,
  ActionCableProtocol,
  backoffWithJitter,
  Channel,
  createCable,
  DisconnectedError,
  FallbackTransport,
  JSONEncoder,
  Monitor,
  type ReasonError,
  WebSocketTransport,
  type Cable,
  type Transport,
} from '@anycable/core';
import { PROTOCOL_EXT } from '@salon/protocol/wire';
import type { ApiClient } from './api-client.js';
import { Listeners } from './emitter.js';
import { parseInboxEvent, type InboxEvent } from './inbox-event.js';
import { LongPollingTransport } from './long-polling-transport.js';
import type { ConnectionStatus, TransportName, Unsubscribe } from './types.js';

/** The server pings every 3 s; two missed pings make the connection stale (AnyCable's defaults). */
const PING_INTERVAL_MS = 3000;
/**
 * The longest wait between two reconnect attempts. The backoff doubles from 3 s; uncapped, it
 * would reach 25 minutes after ten failures, and an app back from a long outage would sit
 * offline long after the server returned.
 */
export const MAX_RECONNECT_DELAY_MS = 30_000;

/** Milliseconds before reconnect attempt `attempts` (0 first): doubling, jittered, capped. */
export const reconnectDelay: (attempts: number) => number = backoffWithJitter(PING_INTERVAL_MS, {
  maxInterval: MAX_RECONNECT_DELAY_MS,
});

/** Where the browser says whether it has a network (`online`/`offline` events); absent in Node. */
interface NetworkEvents {
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

function browserNetwork(): { events: NetworkEvents; onLine: () => boolean } | undefined {
  const g = globalThis as { window?: NetworkEvents; navigator?: { onLine?: boolean } };
  if (!g.window || typeof g.navigator?.onLine !== 'boolean') return undefined;
  const navigator = g.navigator;
  return { events: g.window, onLine: () => navigator.onLine !== false };
}

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
 * The extended protocol, with one fix. @anycable/core 1.1.7's extended protocol resets (the
 * connection dropped) without passing the reason on, so a subscribe still waiting for its
 * confirmation is rejected with nothing; the cable takes an error-less rejection for a final
 * failure and closes the channel for good: the app reconnects, shows itself connected, and hears
 * nothing more. Rejected with the disconnect, as the plain protocol does, the subscribe is simply
 * made again on the next connection.
 */
class ExtendedProtocol extends ActionCableExtendedProtocol {
  override reset(err: ReasonError): void {
    ActionCableProtocol.prototype.reset.call(this, err);
    super.reset(err);
  }
}

/**
 * The one subscription of a connection: the user's private stream and every room they are in
 * (the server keeps it in step as they join and leave). Room actions carry their room.
 */
export class InboxChannel extends Channel {
  static override identifier = 'InboxChannel';
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
  readonly #monitor: Monitor;
  /** The state the cable reported last (the status shows `offline` over it while offline). */
  #cableState: ConnectionStatus = { state: 'idle', transport: null };
  #offline = false;
  #unwatchNetwork: (() => void) | undefined;

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
    // createCable's own monitor, made here so that the network events below can drive it.
    this.#monitor = new Monitor({
      pingInterval: PING_INTERVAL_MS,
      maxMissingPings: 2,
      reconnectStrategy: reconnectDelay,
    });
    this.cable = createCable({
      monitor: this.#monitor,
      transport: this.#fallback ?? first,
      protocol: new ExtendedProtocol(),
      encoder: new JSONEncoder(),
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

  /**
   * In a browser: `offline` shows at once and ends the connection (an open socket may stay
   * half-dead for seconds until the heartbeat notices); `online` reconnects at once instead
   * of waiting out the backoff.
   */
  #watchNetwork(): void {
    const network = browserNetwork();
    if (!network || this.#unwatchNetwork) return;
    const offline = () => {
      this.#offline = true;
      this.#emit();
      this.cable.disconnected(new DisconnectedError('offline'));
    };
    const online = () => {
      this.#offline = false;
      this.#emit();
      this.#monitor.reconnectNow();
    };
    network.events.addEventListener('offline', offline);
    network.events.addEventListener('online', online);
    this.#offline = !network.onLine();
    this.#unwatchNetwork = () => {
      network.events.removeEventListener('offline', offline);
      network.events.removeEventListener('online', online);
      this.#unwatchNetwork = undefined;
    };
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

  /**
   * Subscribes to the inbox; `onEvent` gets each event that has the shape of one (anything else
   * is dropped with a warning: it must not reach the client's state).
   */
  subscribeInbox(onEvent: (event: InboxEvent) => void): InboxChannel {
    const inbox = new InboxChannel();
    inbox.on('message', (message) => {
      const event = parseInboxEvent(message);
      if (event) onEvent(event);
      else console.warn('Salon: an inbox event of an unknown shape was dropped', message);
    });
    this.cable.subscribe(inbox);
    return inbox;
  }

  start(): void {
    this.#watchNetwork();
    if (this.#cableState.state === 'idle' || this.#cableState.state === 'disconnected') {
      this.#set({ state: 'connecting', transport: null });
    }
    this.cable.connect().catch(() => {
      // The monitor retries with backoff; the status shows it.
    });
  }

  stop(): void {
    this.#unwatchNetwork?.();
    this.#offline = false;
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
    this.#cableState = status;
    this.#emit();
  }

  /** The cable's state, or `offline` over anything but a live connection while offline. */
  #emit(): void {
    const status: ConnectionStatus =
      this.#offline && this.#cableState.state !== 'connected' && this.#cableState.state !== 'idle'
        ? { state: 'offline', transport: null }
        : this.#cableState;
    if (status.state === this.#status.state && status.transport === this.#status.transport) return;
    this.#status = status;
    this.#statusListeners.emit(status);
  }
}
