import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledSalonStart } from '../compiled-salon.js';
import { onCleanup } from './cleanup.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Longest wait for `salon start` to say it listens (a cold start on a busy machine). */
const START_TIMEOUT_MS = 60_000;

export interface SalonProcessOptions {
  /** Settings for the node (SALON_*), besides PORT and HOST. */
  env: Record<string, string>;
  port: number;
  /** Address the node listens on and clients use. Default 127.0.0.1. */
  host?: string;
  /** Runs the node inside this network namespace (`ip netns exec`). */
  netns?: string;
}

/**
 * One `salon start` child process that the fault scripts kill and start again on the same port
 * and settings (so the same data dir or database), the way an operator's supervisor would.
 */
export class SalonProcess {
  readonly #opts: SalonProcessOptions;
  #proc: ChildProcess | undefined;
  #output = '';
  #up = false;
  starts = 0;

  constructor(opts: SalonProcessOptions) {
    this.#opts = opts;
    onCleanup(() => this.#proc?.kill('SIGKILL'));
  }

  get url(): string {
    return `http://${this.#opts.host ?? '127.0.0.1'}:${String(this.#opts.port)}`;
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  get running(): boolean {
    return (
      this.#proc !== undefined && this.#proc.exitCode === null && this.#proc.signalCode === null
    );
  }

  /** Started, answering /healthz, and not killed since: where a load balancer sends clients. */
  get up(): boolean {
    return this.#up && this.running;
  }

  /** Starts the node and resolves once it listens. */
  async start(): Promise<void> {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SALON_')),
    );
    const env = {
      ...base,
      ...this.#opts.env,
      PORT: String(this.#opts.port),
      HOST: this.#opts.host ?? '127.0.0.1',
    };
    const node = compiledSalonStart();
    const [cmd, ...args] = this.#opts.netns
      ? ['ip', 'netns', 'exec', this.#opts.netns, ...node]
      : node;
    const proc = spawn(cmd as string, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    this.#output = '';
    const keep = (d: string) => (this.#output = (this.#output + d).slice(-4000));
    proc.stdout.setEncoding('utf8').on('data', keep);
    proc.stderr.setEncoding('utf8').on('data', keep);
    const deadline = Date.now() + START_TIMEOUT_MS;
    // Listening and healthy: /healthz answers 200 (in a cluster, once Redis is reached).
    while (!(await this.#healthy())) {
      if (proc.exitCode !== null) throw new Error(`salon start exited: ${this.#output}`);
      if (Date.now() > deadline) throw new Error(`salon start did not listen: ${this.#output}`);
      await sleep(100);
    }
    this.starts++;
    this.#up = true;
  }

  async #healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** kill -9: no shutdown, no drain; whatever was not committed is gone. */
  async kill9(): Promise<void> {
    const proc = this.#proc;
    if (!proc || !this.running) return;
    this.#up = false;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM (a graceful stop), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc || !this.running) return;
    this.#up = false;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** The last few kB the node printed (for a failure's message). */
  get output(): string {
    return this.#output;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
