import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Files the server finds at run time, from the TypeScript sources (tsx, vitest) or from the build
 * `npm start` runs (packages/server/dist, written by scripts/build-if-stale.mjs). This module sits
 * directly in src/, and its compiled copy directly in dist/ (the build writes every file flat),
 * so one level up is packages/server either way.
 */
const SERVER_DIR = new URL('../', import.meta.url);

/** Under tsx or vitest this module is its own .ts source; in the build it is JavaScript. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Where `npm run build --workspace @salon/web` writes the web app. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../web/dist/', SERVER_DIR));

/** Each worker thread's module: its source, and the entry the build compiles it to. */
const WORKERS = {
  'message-writer': {
    source: 'src/chat/message-writer.worker.ts',
    compiled: 'dist/message-writer.worker.js',
  },
  'sqlite-checkpointer': {
    source: 'src/db/sqlite-checkpointer.worker.ts',
    compiled: 'dist/sqlite-checkpointer.worker.js',
  },
} as const;

/**
 * Starts a worker thread on one of Salon's worker modules. A worker thread does not inherit the
 * TypeScript loader of the thread that starts it, so from the sources it starts on
 * ts-worker.mjs, which registers tsx and imports the module; compiled, it starts on the
 * compiled module itself, with plain Node. `workerData` must not use the key `entry`.
 */
export function startWorker(name: keyof typeof WORKERS, workerData: object): Worker {
  const files = WORKERS[name];
  if (!FROM_SOURCE) return new Worker(new URL(files.compiled, SERVER_DIR), { workerData });
  return new Worker(new URL('src/ts-worker.mjs', SERVER_DIR), {
    workerData: { ...workerData, entry: new URL(files.source, SERVER_DIR).href },
  });
}
