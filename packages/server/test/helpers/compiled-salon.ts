import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { smsToFake, WIDE_LIMITS } from './test-env.js';
import { startTwilioFake, type TwilioFake } from './twilio-fake.js';
import { waitFor } from './wait-for.js';

const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(server, 'dist');
const cli = path.join(DIST, 'cli.js');

/** Builds packages/server/dist from the current sources if it is not already (for beforeAll). */
export function buildCompiledSalon(): void {
  execFileSync(process.execPath, [path.join(server, 'scripts/build-if-stale.mjs')], {
    stdio: 'inherit',
  });
}

export interface CompiledSalon {
  url: string;
  wsUrl: string;
  /** The Twilio fake its SMS go to. */
  sms: TwilioFake;
  /** Its SQLite file, in a data dir of its own (removed when the test ends). */
  dbFile: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Its exit code (or the signal that ended it). */
  exited: Promise<number | string>;
}

/** The port in pino's "Salon is listening on http://…:PORT" line, once it is printed. */
function listeningPort(stdout: string): number | undefined {
  const m = /"msg":"Salon is listening on http:\/\/[^:"]+:(\d+)"/.exec(stdout);
  return m?.[1] ? Number(m[1]) : undefined;
}

/**
 * What `npm start` runs: `node dist/cli.js start` on a free loopback port, on SQLite in a fresh
 * data dir, its SMS to a Twilio fake, wide limits, `env` on top, and no SALON_* from the outer
 * environment. Resolves once it listens; killed when the test ends.
 */
export async function startCompiledSalon(env: Record<string, string> = {}): Promise<CompiledSalon> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-compiled-'));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const dbFile = path.join(dataDir, 'salon.db');
  const sms = await startTwilioFake();
  onTestFinished(() => sms.close());
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('SALON_') && k !== 'PORT' && k !== 'HOST',
    ),
  );
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', cli, 'start', '--port', '0', '--host', '127.0.0.1'],
    {
      env: {
        ...base,
        NODE_ENV: 'production',
        SALON_DATA_DIR: dataDir,
        SALON_DATABASE_URL: `sqlite:${dbFile}`,
        ...smsToFake(sms),
        ...WIDE_LIMITS,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const port = await waitFor(
    'the compiled server listening',
    () => {
      if (child.exitCode !== null) throw new Error(`exited before listening:\n${output}`);
      return listeningPort(output);
    },
    30_000,
  );
  return {
    url: `http://127.0.0.1:${String(port)}`,
    wsUrl: `ws://127.0.0.1:${String(port)}`,
    sms,
    dbFile,
    child,
    output: () => output,
    exited,
  };
}
