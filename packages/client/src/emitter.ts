import type { Unsubscribe } from './types.js';

/** A set of listeners; a listener that throws does not stop the others. */
export class Listeners<A extends unknown[] = []> {
  readonly #set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): Unsubscribe {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  emit(...args: A): void {
    for (const l of [...this.#set]) {
      try {
        l(...args);
      } catch (err) {
        console.error('salon client listener failed', err);
      }
    }
  }
}
