// Measures how the compiled server starts: time from spawning `node` to the "Salon is listening"
// line (wall clock, and the CPU time the process used, which shared cores barely change), and
// resident memory (VmRSS, Linux) at that moment, before any connection. Several runs, each on a
// fresh SQLite data dir; prints every run and the medians. Build first (`npm run build
// --workspace @salon/server`).
// Usage: node packages/server/scripts/measure-start.mjs [runs=7] [--source]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 7);
/** `--source`: the TypeScript sources through tsx instead, as `npm start` ran them before. */
const nodeArgs = args.includes('--source')
  ? ['--import', 'tsx', fileURLToPath(new URL('../src/cli.ts', import.meta.url)), 'start']
  : [fileURLToPath(new URL('../dist/cli.js', import.meta.url)), 'start'];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * CPU time (user + system, ms) a process has used, from /proc: unlike the wall-clock time, it
 * barely moves when other processes share the cores.
 */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** VmRSS of a process in MB, from /proc. */
function rssMb(pid) {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kb / 1024;
}

async function once() {
  const dataDir = mkdtempSync(join(tmpdir(), 'salon-measure-'));
  const port = await freePort();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SALON_')),
  );
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs, {
    env: {
      ...env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      SALON_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const result = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (/Salon is listening/.test(out)) {
        child.stdout.removeAllListeners('data');
        resolve({
          listenMs: performance.now() - started,
          cpuMs: cpuMs(child.pid),
          rss: rssMb(child.pid),
        });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`exited ${String(code)} before listening:\n${out}`)),
    );
  });
  const health = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
  child.kill('SIGTERM');
  const code = await exited;
  rmSync(dataDir, { recursive: true, force: true });
  return { ...result, health: health.status, code };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  results.push(r);
  console.log(
    `run ${String(i + 1)}: listening after ${r.listenMs.toFixed(0)} ms (${String(r.cpuMs)} ms of CPU), RSS ${r.rss.toFixed(1)} MB, /healthz ${String(r.health)}, exit ${String(r.code)}`,
  );
}
console.log(
  `median of ${String(runs)}: listening after ${median(results.map((r) => r.listenMs)).toFixed(0)} ms (${String(median(results.map((r) => r.cpuMs)))} ms of CPU), RSS ${median(results.map((r) => r.rss)).toFixed(1)} MB`,
);
