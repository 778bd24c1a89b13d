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
// Stack traces name dist/ (readable: the build keeps names and is not minified). Source maps
// cost about 10 MB of memory for the whole life of the process; NODE_OPTIONS=--enable-source-maps
// turns them on, and traces then name the TypeScript sources.
await import('../dist/cli.js');
