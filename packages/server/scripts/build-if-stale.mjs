// Compiles the server into packages/server/dist (ES modules with source maps: Salon's sources,
// its workspace packages and most libraries bundled into a few files; see EXTERNAL for what stays
// in node_modules), only when something it was built from changed: `npm start` and the `salon`
// bin then run `node` on the output, with no TypeScript loader in the process or its worker
// threads.
//
// Run as a script it builds if stale (`--force`: always) and exits non-zero if the build fails;
// imported, `buildIfStale()` does the same and throws.
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFresh, writeStamp } from '../../../scripts/build-stamp.mjs';

const server = fileURLToPath(new URL('..', import.meta.url));
const root = join(server, '..', '..');

/** Where the build goes; `node --enable-source-maps dist/cli.js start` runs it. */
export const DIST_DIR = join(server, 'dist');
const STAMP = join(DIST_DIR, 'build-stamp.json');

/**
 * The entry points, named as they land in dist/. The writer worker is one of them: a worker
 * thread starts on a file, and src/server-files.ts looks for it next to the compiled code.
 */
const ENTRIES = {
  cli: join(server, 'src', 'cli.ts'),
  'message-writer.worker': join(server, 'src', 'chat', 'message-writer.worker.ts'),
  'sqlite-checkpointer.worker': join(server, 'src', 'db', 'sqlite-checkpointer.worker.ts'),
};

/**
 * What decides the output besides the sources esbuild reads (which it lists itself): the
 * installed packages, the package manifests and TypeScript settings, and this script.
 */
const SETTINGS_FILES = [
  join(root, 'package-lock.json'),
  join(root, 'package.json'),
  join(root, 'tsconfig.json'),
  join(server, 'package.json'),
  fileURLToPath(import.meta.url),
];

/** True when dist/ was built from the current sources. */
export function isBuildFresh() {
  return isFresh(STAMP);
}

/**
 * Builds dist/ unless it is fresh. The new build is written to a directory of its own and then
 * moved in place, so that several `salon` processes starting at once never run a half-written
 * build. Resolves true if it built.
 */
export async function buildIfStale({ force = false, log = (line) => console.error(line) } = {}) {
  if (!force && isBuildFresh()) return false;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new Error('esbuild is not installed: run `npm install` first', { cause: err });
  }
  log('building the server (packages/server/dist)…');
  const out = mkdtempSync(join(server, '.dist-'));
  try {
    const result = await esbuild.build({
      entryPoints: ENTRIES,
      // Paths in the metafile are relative to this.
      absWorkingDir: root,
      outdir: out,
      bundle: true,
      // Code the CLI imports on use (the server, `salon db`) stays in chunks loaded on use.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      // For NODE_OPTIONS=--enable-source-maps (off by default: Node keeps every map it loads in
      // memory, about 10 MB). The mappings only; the sources are in the checkout and would
      // triple the maps' size.
      sourcesContent: false,
      // Bundling renames clashing names; error names and logs should read as in the sources.
      keepNames: true,
      metafile: true,
      logLevel: 'warning',
      plugins: [externals],
      // Bundled CommonJS code calls require() for Node's built-in modules; ES modules have none.
      banner: {
        js: "import { createRequire as __salonCreateRequire } from 'node:module'; const require = __salonCreateRequire(import.meta.url);",
      },
    });
    for (const file of Object.keys(result.metafile.outputs))
      if (file.endsWith('.js')) escapeNonAscii(resolve(root, file));
    const inputs = Object.keys(result.metafile.inputs).map((file) => resolve(root, file));
    writeStamp(join(out, 'build-stamp.json'), [...inputs, ...SETTINGS_FILES]);
    // mkdtemp makes the directory private to its owner; the service may run as another user.
    chmodSync(out, 0o755);
    rmSync(DIST_DIR, { recursive: true, force: true });
    renameSync(out, DIST_DIR);
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    // Another process moved its build in first: fine if that one is fresh.
    if (isBuildFresh()) return false;
    throw err;
  } finally {
    // esbuild builds in a child process of its own; the `salon` bin goes on to run the server.
    esbuild.stop();
  }
  log(`server built into ${relative(process.cwd(), DIST_DIR) || '.'}`);
  return true;
}

/**
 * Rewrites the non-ASCII characters left in a compiled file as `\uXXXX` escapes. esbuild escapes
 * them in code but keeps comments as written, and one arrow or dash in a comment is enough for V8
 * to hold the whole file's source (which it keeps for lazy compilation) as two bytes a character:
 * about 3 MB of heap for the server's largest files. Outside a comment the escape means the same.
 */
function escapeNonAscii(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (ascii !== text) writeFileSync(file, ascii);
}

/**
 * Packages left to Node's own `import` at run time instead of being bundled: native addons, and
 * packages that load files of their own by path (pino's transports run in a worker thread on a
 * file, BullMQ reads its Lua scripts), with what only cluster or PostgreSQL mode loads, and
 * optional native helpers that may not be installed. Everything else is bundled, Salon's
 * workspace packages (TypeScript sources that plain `node` cannot load) and the libraries: Node
 * then loads a few modules instead of about a thousand files, which at start costs it more CPU
 * time and memory than running them. The lockfile is an input of the stamp: an upgrade rebuilds.
 */
const EXTERNAL = new Set([
  'better-sqlite3',
  'pino',
  'pino-pretty',
  'thread-stream',
  'bullmq',
  'ioredis',
  'pg',
  'pg-native',
  'bufferutil',
  'utf-8-validate',
]);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const externals = {
  name: 'externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('node:') || EXTERNAL.has(packageOf(args.path))
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await buildIfStale({ force: process.argv.includes('--force') });
    if (!built) console.log('server is up to date (packages/server/dist)');
  } catch (err) {
    console.error('server build failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
