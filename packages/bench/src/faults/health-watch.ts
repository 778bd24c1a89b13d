import type { SalonProcess } from './salon-process.js';

/**
 * What a load balancer knows: each node's /healthz polled every 500 ms (1 s timeout). A node
 * that is running but cut off fails its check, and clients are sent elsewhere.
 */
export class HealthWatch {
  readonly #nodes: readonly SalonProcess[];
  readonly #healthy: boolean[];
  readonly #timer: NodeJS.Timeout;

  constructor(nodes: readonly SalonProcess[]) {
    this.#nodes = nodes;
    this.#healthy = nodes.map(() => true);
    this.#timer = setInterval(() => void this.#poll(), 500);
  }

  healthy(i: number): boolean {
    return (this.#healthy[i] ?? false) && (this.#nodes[i]?.up ?? false);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    await Promise.all(
      this.#nodes.map(async (node, i) => {
        try {
          const res = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          this.#healthy[i] = res.ok;
        } catch {
          this.#healthy[i] = false;
        }
      }),
    );
  }
}
