import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { REDIS_URL } from './helpers/cluster.js';

const fixture = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures/drain-with-stuck-jobs.ts',
);

/**
 * A cluster node's drain at shutdown, with an SMS and a message batch that do not finish in
 * time. It is given the rest of the node's budget once, shared by the local lane and BullMQ's
 * running jobs (each waited the whole timeout in turn: twice the budget, and the node was killed
 * before presence closed). And the node must be able to go on closing when those jobs end later:
 * BullMQ's worker, closed gracefully and its connections cut under a running job, spun the event
 * loop at 100 % once the job ended.
 */
test('drain(timeout) with stuck jobs ends within the timeout, and the process goes on', async () => {
  const timeoutMs = 2000;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, REDIS_URL, `salon-test-${randomUUID()}:`, String(timeoutMs)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);

  expect(code, output).toBe(0);
  const [outcome, after] = output.trim().split('\n');
  const { drained, ms } = JSON.parse(outcome ?? '{}') as { drained: boolean; ms: number };
  expect(drained).toBe(false);
  // Twice the timeout before the fix; the margin is for a loaded machine.
  expect(ms).toBeLessThan(timeoutMs + 1500);
  expect(after).toBe('loop turns');
});
