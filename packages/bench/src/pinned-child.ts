import { spawn, type ChildProcess } from 'node:child_process';
import { isMessage } from './ipc.js';

export interface PinnedChildOptions {
  /** CPUs the child (all its threads) may run on, given to `taskset -c`: `0`, or `0-1`. */
  core: number | string;
  /** TypeScript entry, run with `node --expose-gc --import tsx`. */
  script: string;
  /** Name used in error messages. */
  name: string;
  /** Extra node flags, e.g. `--cpu-prof` for a profile of every thread. */
  nodeArgs?: readonly string[];
}

/** BENCH_SERVER_NODE_ARGS: node flags for a benchmark's server (`--cpu-prof --cpu-prof-dir=DIR`). */
export function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/**
 * A Node child process pinned to one core, with a typed IPC channel. taskset execs node in place,
 * so the child's pid is the server's or generator's own pid (used for /proc readings), and the
 * IPC descriptor named by NODE_CHANNEL_FD survives the exec.
 */
export class PinnedChild<Command extends { type: string }, Event extends { type: string }> {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #queue: Event[] = [];
  #waiter: (() => void) | undefined;
  #exit: string | undefined;

  constructor(options: PinnedChildOptions) {
    this.name = options.name;
    this.#child = spawn(
      'taskset',
      [
        '-c',
        String(options.core),
        process.execPath,
        '--expose-gc',
        ...(options.nodeArgs ?? []),
        '--import',
        'tsx',
        options.script,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    this.#child.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      this.#queue.push(message as Event);
      this.#waiter?.();
    });
    this.#child.on('exit', (code, signal) => {
      this.#exit = `${this.name} exited (code ${String(code)}, signal ${String(signal)})`;
      this.#waiter?.();
    });
    this.#child.on('error', (error) => {
      this.#exit = `${this.name} could not start: ${error.message}`;
      this.#waiter?.();
    });
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined)
      throw new Error(`${this.name} has no pid (${this.#exit ?? 'not started'})`);
    return pid;
  }

  send(command: Command): void {
    if (this.#exit !== undefined) throw new Error(this.#exit);
    this.#child.send(command);
  }

  /**
   * The next event, which must be of type `type`: an event of another type, a `failed` report,
   * the child's exit or the deadline reject.
   */
  async next<T extends Event['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<Event, { type: T }>> {
    const event = await this.waitFor(type, timeoutMs);
    if (event === undefined)
      throw new Error(`${this.name}: no ${type} within ${String(timeoutMs)} ms`);
    return event;
  }

  /** Like `next`, but resolves undefined when the deadline passes. */
  async waitFor<T extends Event['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<Event, { type: T }> | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.#queue.shift();
      if (event !== undefined) {
        if (event.type === type) return event as Extract<Event, { type: T }>;
        const detail =
          event.type === 'failed' ? (event as { message?: string }).message : JSON.stringify(event);
        throw new Error(`${this.name}: expected ${type}, got ${event.type}: ${String(detail)}`);
      }
      if (this.#exit !== undefined) throw new Error(this.#exit);
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  /** Ends the child: disconnecting makes it exit; SIGKILL (by pid) if it is still there after 3 s. */
  async stop(): Promise<void> {
    if (this.#exit !== undefined) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
