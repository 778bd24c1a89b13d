import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The node's two Redis connections: one for commands (scripts, keys, PUBLISH) and one held in
 * subscriber mode (a connection that subscribes can run nothing else). ioredis reconnects both by
 * itself and re-subscribes; this class turns their events into one health state.
 */
export class RedisLink {
  readonly command: Redis;
  readonly subscriber: Redis;
  readonly #log: Logger;
  readonly #listeners: ((healthy: boolean) => void)[] = [];
  #healthy = false;
  #closing = false;

  constructor(url: string, log: Logger) {
    this.#log = log;
    const options = {
      // Retry quickly but never give up: the node recovers by itself when Redis returns.
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
      // A command while Redis is away fails after one retry, rather than hang a request.
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      lazyConnect: true,
    };
    this.command = new Redis(url, { ...options, connectionName: 'salon-command' });
    this.subscriber = new Redis(url, { ...options, connectionName: 'salon-subscriber' });
    for (const conn of [this.command, this.subscriber]) {
      conn.on('ready', () => this.#update());
      conn.on('close', () => this.#update());
      conn.on('end', () => this.#update());
      // Without a listener ioredis prints every failed reconnect; the health state says it once.
      conn.on('error', (err: Error) => this.#log.debug({ err }, 'redis error'));
    }
  }

  /** Connects both; rejects (with Redis' own reason) when Redis cannot be reached at start. */
  async connect(): Promise<void> {
    await Promise.all([this.command.connect(), this.subscriber.connect()]);
    this.#update();
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  /** Called when both connections become ready, or when one of them is lost. */
  onHealth(listener: (healthy: boolean) => void): void {
    this.#listeners.push(listener);
  }

  #update(): void {
    const healthy =
      !this.#closing && this.command.status === 'ready' && this.subscriber.status === 'ready';
    if (healthy === this.#healthy) return;
    this.#healthy = healthy;
    if (healthy) this.#log.info('redis connected');
    else if (!this.#closing) this.#log.error('redis lost; reconnecting');
    for (const l of this.#listeners) l(healthy);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([this.command.quit(), this.subscriber.quit()]);
    this.command.disconnect();
    this.subscriber.disconnect();
  }
}
