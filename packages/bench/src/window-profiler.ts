import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

/**
 * BENCH_PROFILE=<dir>: a V8 CPU profile of each measured window of a benchmark's server, written
 * as <dir>/server-<pid>-<n>.cpuprofile (open in Chrome's DevTools or speedscope). Profiling only
 * the window leaves out the set-up (accounts, rooms), which would otherwise dominate.
 */
export class WindowProfiler {
  readonly #dir: string;
  readonly #session = new inspector.Session();
  #windows = 0;
  #running = false;

  /** A profiler when BENCH_PROFILE is set, else undefined. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): WindowProfiler | undefined {
    return env.BENCH_PROFILE ? new WindowProfiler(env.BENCH_PROFILE) : undefined;
  }

  private constructor(dir: string) {
    this.#dir = dir;
    fs.mkdirSync(dir, { recursive: true });
    this.#session.connect();
  }

  async start(): Promise<void> {
    if (this.#running) return;
    await this.#post('Profiler.enable');
    await this.#post('Profiler.start');
    this.#running = true;
  }

  /** Ends the window and writes its profile; nothing when no window is open. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const { profile } = (await this.#post('Profiler.stop')) as { profile: unknown };
    this.#windows++;
    fs.writeFileSync(
      path.join(this.#dir, `server-${String(process.pid)}-${String(this.#windows)}.cpuprofile`),
      JSON.stringify(profile),
    );
  }

  #post(method: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#session.post(method, (err, result) => (err ? reject(err) : resolve(result)));
    });
  }
}
