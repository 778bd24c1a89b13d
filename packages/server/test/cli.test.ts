import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startTwilioFake } from './helpers/twilio-fake.js';
import { waitFor } from './helpers/wait-for.js';

/** The real `salon start` in a child process: how it starts, refuses bad config, and stops. */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'packages/server/src/cli.ts');

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal that killed it). */
  exited: Promise<number | NodeJS.Signals>;
}

function startCli(args: string[], env: Record<string, string>): Cli {
  // Nothing from the outer environment may configure the child.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('SALON_') && k !== 'PORT' && k !== 'HOST',
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...base, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-cli-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Parses pino's JSON lines on stdout for the port in "Salon is listening on http://…:PORT". */
function listeningPort(stdout: string): number | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string };
    const m = /Salon is listening on http:\/\/[^:]+:(\d+)$/.exec(entry.msg ?? '');
    if (m?.[1]) return Number(m[1]);
  }
  return undefined;
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${String(ms)} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('salon start', () => {
  test('listens on the port it prints, and exits 0 soon after SIGTERM', async () => {
    const app = startCli(['start', '--port', '0', '--host', '127.0.0.1'], {
      SALON_DATA_DIR: tempDataDir(),
    });
    const port = await waitFor(
      `the listening line (stdout: ${app.stdout()} stderr: ${app.stderr()})`,
      () => listeningPort(app.stdout()),
      20_000,
      50,
    );
    const res = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });

    app.child.kill('SIGTERM');
    expect(await within(10_000, 'exit after SIGTERM', app.exited)).toBe(0);
    expect(app.stdout()).toContain('"shutting down"');
    expect(app.stderr()).toBe('');
  });

  test('on SIGTERM, an SMS still waiting for a retry is sent before the exit', async () => {
    const twilio = await startTwilioFake();
    onTestFinished(() => twilio.close());
    const app = startCli(['start', '--port=0', '--host=127.0.0.1'], {
      SALON_DATA_DIR: tempDataDir(),
      SALON_SMS_PROVIDER: 'twilio',
      SALON_TWILIO_ACCOUNT_SID: 'ACcli',
      SALON_TWILIO_AUTH_TOKEN: 'cli-token',
      SALON_TWILIO_FROM: '+15005550006',
      SALON_TWILIO_BASE_URL: twilio.baseUrl,
    });
    const port = await waitFor('the listening line', () => listeningPort(app.stdout()), 20_000, 50);

    twilio.failNext(1, 503);
    const phone = '+14152000002';
    const res = await fetch(`http://127.0.0.1:${String(port)}/api/auth/otp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone }),
    });
    expect(res.status).toBe(202);
    // The first try has failed once the 503 is used up; the retry now waits on its backoff timer.
    await waitFor('the first try to fail', () => app.stdout().includes('job failed; will retry'));

    app.child.kill('SIGTERM');
    expect(await within(10_000, 'exit after SIGTERM', app.exited)).toBe(0);
    expect(twilio.messages.map((m) => m.to)).toEqual([phone]);
  });

  test('a bad value exits with code 2 and one line naming the variable', async () => {
    const app = startCli(['start'], { PORT: 'abc', SALON_DATA_DIR: tempDataDir() });
    expect(await within(10_000, 'exit', app.exited)).toBe(2);
    const lines = app.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\bPORT\b/);
    expect(lines[0]).toContain('"abc"');
    expect(app.stdout()).toBe('');
  });

  test('an unreachable PostgreSQL exits 1 with one line naming it, without its password', async () => {
    const app = startCli(['start'], {
      SALON_DATA_DIR: tempDataDir(),
      SALON_DATABASE_URL: 'postgres://salon:hunter2@127.0.0.1:1/salon',
    });
    expect(await within(15_000, 'exit', app.exited)).toBe(1);
    expect(app.stderr()).toMatch(
      /^salon: could not start: cannot connect to PostgreSQL at postgres:\/\/salon@127\.0\.0\.1:1\/salon: .*ECONNREFUSED.*\n$/,
    );
    expect(app.stderr()).not.toContain('hunter2');
  });

  test.each([
    [['start', '--port', 'x'], {}, 'PORT'],
    [['start', '--no-such-flag', '1'], {}, '--no-such-flag'],
    [['start'], { SALON_OTP_PER_HOUR: '0' }, 'SALON_OTP_PER_HOUR'],
    [['start'], { SALON_SMS_PROVIDER: 'twilio' }, 'SALON_TWILIO_ACCOUNT_SID'],
    [['start'], { SALON_SECRET: 'too short' }, 'SALON_SECRET'],
  ] as [string[], Record<string, string>, string][])('%j %j names %s', async (args, env, name) => {
    const app = startCli(args, { SALON_DATA_DIR: tempDataDir(), ...env });
    expect(await within(10_000, 'exit', app.exited)).toBe(2);
    const lines = app.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });
});
