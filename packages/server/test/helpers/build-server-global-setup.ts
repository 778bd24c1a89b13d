import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const buildScript = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url));

/**
 * Once before the tests that start real `salon` processes: packages/server/dist is built from the
 * current sources (if it is not already), so that they run the JavaScript `npm start` runs.
 */
export default function setup(): void {
  execFileSync(process.execPath, [buildScript], { stdio: 'inherit' });
}
