import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './browser.js';
import { ARTIFACTS_DIR } from './artifacts.js';

const buildScript = fileURLToPath(new URL('../../../scripts/build-if-stale.mjs', import.meta.url));

/**
 * Once before the browser tests: last run's screenshots go, Chromium is there (or is installed, or the run stops with the
 * command to install it), and packages/web/dist is built from the current sources, since the
 * test servers serve the app from there.
 */
export default function setup(): void {
  // Screenshots are of this run's failures only.
  fs.rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
  ensureChromium();
  // Vitest sets NODE_ENV=test, and Vite would then bundle React's development build.
  execFileSync(process.execPath, [buildScript], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
