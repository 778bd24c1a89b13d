import type { BrowserContext, WebSocketRoute } from 'playwright-core';

/**
 * Takes one person's browser off the network and back. `context.setOffline(true)` fails new
 * requests but does not close a WebSocket that is already open, so every WebSocket to /cable goes
 * through a route that passes it to the server while online, and that can close it (and refuses
 * new ones) while offline: what a dropped Wi-Fi looks like to the page.
 */
export class NetworkSwitch {
  readonly #context: BrowserContext;
  readonly #open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  #offline = false;
  #refused = 0;

  private constructor(context: BrowserContext) {
    this.#context = context;
  }

  /** Call before the app loads (Person's `prepare`), so that every socket goes through it. */
  static async install(context: BrowserContext): Promise<NetworkSwitch> {
    const net = new NetworkSwitch(context);
    await context.routeWebSocket(/\/cable/, (ws) => net.#route(ws));
    return net;
  }

  get offline(): boolean {
    return this.#offline;
  }

  /** WebSockets the page tried to open while offline. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * `closeSockets: false` leaves the open WebSocket half-dead (no frames either way, no close),
   * which only the client's own heartbeat can notice.
   */
  async goOffline({ closeSockets = true }: { closeSockets?: boolean } = {}): Promise<void> {
    this.#offline = true;
    await this.#context.setOffline(true);
    if (!closeSockets) return;
    const open = [...this.#open];
    this.#open.clear();
    await Promise.all(open.flatMap(({ page, server }) => [page.close(), server.close()]));
  }

  async goOnline(): Promise<void> {
    this.#offline = false;
    await this.#context.setOffline(false);
  }

  async #route(ws: WebSocketRoute): Promise<void> {
    if (this.#offline) {
      this.#refused++;
      await ws.close();
      return;
    }
    // Without handlers of its own, the route forwards every frame both ways unchanged.
    const pair = { page: ws, server: ws.connectToServer() };
    this.#open.add(pair);
    ws.onClose(() => this.#open.delete(pair));
    pair.server.onClose(() => this.#open.delete(pair));
  }
}
