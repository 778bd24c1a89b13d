import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let built = false;

/**
 * The command line of `salon start` as `npm start` runs it: plain node on the compiled server,
 * which is built first if its sources changed (once per process). Benchmarks and fault scripts
 * measure what ships, not the TypeScript loader.
 */
export function compiledSalonStart(): string[] {
  if (!built) {
    execFileSync(
      process.execPath,
      [path.join(root, 'packages/server/scripts/build-if-stale.mjs')],
      {
        stdio: 'inherit',
      },
    );
    built = true;
  }
  return [process.execPath, path.join(root, 'packages/server/dist/cli.js'), 'start'];
}
