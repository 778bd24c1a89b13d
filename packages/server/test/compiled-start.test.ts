import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { ChatClient, createGroup, history, person } from './chat/chat-client.js';
import { smsToFake, WIDE_LIMITS } from './helpers/test-env.js';
import { startTwilioFake } from './helpers/twilio-fake.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * What `npm start` ships: the server compiled into packages/server/dist, run by plain `node`
 * (no TypeScript loader in the process or in its writer thread), doing the whole round trip.
 */

const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildScript = path.join(server, 'scripts/build-if-stale.mjs');
const cli = path.join(server, 'dist/cli.js');

beforeAll(() => {
  execFileSync(process.execPath, [buildScript], { stdio: 'inherit' });
}, 120_000);

/** The port in pino's "Salon is listening on http://…:PORT" line, once it is printed. */
function listeningPort(stdout: string): number | undefined {
  const m = /"msg":"Salon is listening on http:\/\/[^:"]+:(\d+)"/.exec(stdout);
  return m?.[1] ? Number(m[1]) : undefined;
}

describe('the compiled server', () => {
  test('is ASCII throughout, so that V8 keeps its sources at one byte a character', () => {
    const dist = path.join(server, 'dist');
    const files = fs.readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = fs.readFileSync(path.join(dist, file), 'utf8');
      expect({ file, nonAscii: /[\u0080-\uffff]/.exec(text)?.[0] }).toEqual({
        file,
        nonAscii: undefined,
      });
    }
  });

  test('signs someone in, stores and delivers a message on its writer thread, exits 0 on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-compiled-'));
    onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const sms = await startTwilioFake();
    onTestFinished(() => sms.close());
    // Nothing from the outer environment may configure the child.
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
          SALON_DATABASE_URL: `sqlite:${path.join(dataDir, 'salon.db')}`,
          SALON_MESSAGE_WRITER: 'thread',
          ...smsToFake(sms),
          ...WIDE_LIMITS,
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
    const address = {
      url: `http://127.0.0.1:${String(port)}`,
      wsUrl: `ws://127.0.0.1:${String(port)}`,
      sms,
    };

    const ana = await person(address, 'Ana');
    const ben = await person(address, 'Ben');
    const room = await createGroup(address, ana, 'Compiled', [ben.id]);
    const benWs = await ChatClient.connect(address, ben);
    await benWs.joinRoom(room.id);
    const anaWs = await ChatClient.connect(address, ana);
    await anaWs.joinRoom(room.id);
    anaWs.speak(room.id, 'hello from dist', 'c-1');
    const delivered = await benWs.message(room.id, 'c-1', 10_000);
    expect(delivered.body).toBe('hello from dist');
    expect((await history(address, ben, room.id)).map((m) => m.body)).toEqual(['hello from dist']);
    anaWs.close();
    benWs.close();

    child.kill('SIGTERM');
    expect(await exited, output).toBe(0);
  });
});
