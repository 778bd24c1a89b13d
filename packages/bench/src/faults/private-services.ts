import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from './cleanup.js';
import { freePort } from '../free-port.js';
import { sleep } from './salon-process.js';

/**
 * A Redis of the fault scripts' own, on a free port, without persistence: restarting it loses
 * everything in it, as a Redis restart without AOF does. The machine's shared Redis is never
 * touched.
 */
export class PrivateRedis {
  readonly port: number;
  #proc: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
    onCleanup(() => this.#proc?.kill('SIGKILL'));
  }

  static async start(bind: readonly string[] = ['127.0.0.1']): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.#start(bind);
    return redis;
  }

  get url(): string {
    return this.urlAt('127.0.0.1');
  }

  urlAt(host: string): string {
    return `redis://${host}:${String(this.port)}`;
  }

  #bind: readonly string[] = ['127.0.0.1'];
  async #start(bind: readonly string[]): Promise<void> {
    this.#bind = bind;
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        ...bind,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        // Listening on a namespace's link address too (partition): no password on this
        // throwaway instance, reachable only from this machine.
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#proc = proc;
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-4000)));
    for (let i = 0; !/Ready to accept connections/.test(out); i++) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
      if (i > 400) throw new Error(`redis-server not ready after 20 s: ${out}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Killed and started again on the same port, empty. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#start(this.#bind);
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the fault scripts' own: initdb into a temp dir as the postgres user,
 * on a free port, trust on loopback; stopped and removed at the end. The machine's shared
 * PostgreSQL is never touched.
 */
export class PrivatePostgres {
  readonly port: number;
  readonly #dir: string;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  static async start(listen = '127.0.0.1'): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-faults-pg-'));
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    execFileSync('chown', ['postgres:postgres', dir]);
    const pg = new PrivatePostgres(await freePort(), dir);
    asPostgres(`${PG_BIN}/initdb`, ['-D', pg.#data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    fs.appendFileSync(path.join(pg.#data, 'pg_hba.conf'), 'host all all 0.0.0.0/0 trust\n');
    onCleanup(() => pg.#ctl(['stop', '-m', 'immediate']));
    pg.#ctl([
      'start',
      '-o',
      `-p ${String(pg.port)} -k ${dir} -c listen_addresses=${listen} -c fsync=on`,
    ]);
    return pg;
  }

  get url(): string {
    return this.urlAt('127.0.0.1');
  }

  urlAt(host: string): string {
    return `postgres://postgres@${host}:${String(this.port)}/postgres`;
  }

  /** pg_ctl restart -m fast: sessions are ended, the server comes back a moment later. */
  restart(): void {
    this.#ctl(['restart', '-m', 'fast']);
  }

  get #data(): string {
    return path.join(this.#dir, 'data');
  }

  #ctl(args: string[]): void {
    asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D',
      this.#data,
      '-l',
      path.join(this.#dir, 'log'),
      '-w',
      ...args,
    ]);
  }
}

function asPostgres(cmd: string, args: string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], {
    stdio: 'ignore',
    timeout: 60_000,
  });
}
