#!/usr/bin/env node
// Runs the compiled server (packages/server/dist), compiling it first when its sources changed
// since the last build (after `npm install`, a pull, an edit), so that `salon db migrate` and
// `salon start` run the same JavaScript as `npm start`, with no TypeScript loader.
import { buildIfStale } from '../scripts/build-if-stale.mjs';

try {
  await buildIfStale();
} catch (err) {
  process.stderr.write(
    `salon: server build failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
// Stack traces name the TypeScript sources (what `node --enable-source-maps` does).
process.setSourceMapsEnabled(true);
await import('../dist/cli.js');
