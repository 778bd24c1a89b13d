import type { ConnectionRegistry } from '../cable/registry.js';
import type { PresenceTracker } from './seams.js';

/** One node: the registry knows every connection, and announced state is a set in memory. */
export class MemoryPresence implements PresenceTracker {
  readonly #registry: ConnectionRegistry;
  readonly #announcedOnline = new Set<string>();

  constructor(registry: ConnectionRegistry) {
    this.#registry = registry;
  }

  admit(userId: string, cap: number): Promise<boolean> {
    return Promise.resolve(this.#registry.connectionsOfUser(userId).size < cap);
  }

  release(): void {
    // The registry forgets a closed connection by itself.
  }

  connected(userId: string): Promise<boolean> {
    return Promise.resolve(this.#registry.connectionsOfUser(userId).size > 0);
  }

  announce(userId: string, online: boolean): Promise<boolean> {
    const changed = online !== this.#announcedOnline.has(userId);
    if (online) this.#announcedOnline.add(userId);
    else this.#announcedOnline.delete(userId);
    return Promise.resolve(changed);
  }

  isAnnouncedOnline(userId: string): boolean {
    return this.#announcedOnline.has(userId);
  }

  onLost(): void {
    // Nothing is lost without a close in one process.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
