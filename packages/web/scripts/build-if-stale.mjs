// Builds the web app only when its sources (or the SDK and wire types it bundles) are newer than
// packages/web/dist, so `npm start` stays fast when nothing changed. Exits non-zero if a needed
// build fails: serving a stale app silently would be worse than not starting.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const packages = join(web, '..');
const builtMarker = join(web, 'dist', 'index.html');

/** Everything that ends up in the bundle or decides how it is built. */
const inputs = [
  join(web, 'src'),
  join(web, 'public'),
  join(web, 'index.html'),
  join(web, 'vite.config.ts'),
  join(web, 'service-worker-plugin.ts'),
  join(web, 'sw'),
  join(web, 'package.json'),
  join(packages, 'client', 'src'),
  join(packages, 'client', 'package.json'),
  join(packages, 'protocol', 'src'),
];

/** Newest modification time (ms) of a file, or of any file below a directory; 0 if absent. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const builtAt = existsSync(builtMarker) ? statSync(builtMarker).mtimeMs : 0;
const changedAt = Math.max(...inputs.map(newestMtime));

if (builtAt > 0 && builtAt >= changedAt) {
  console.log('web app is up to date (packages/web/dist)');
} else {
  console.log(builtAt === 0 ? 'building the web app…' : 'web app sources changed; rebuilding…');
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('vite is not installed (npm install): the server will start without the web app');
    process.exit(0);
  }
  try {
    await vite.build({ root: web, logLevel: 'warn' });
    console.log('web app built into packages/web/dist');
  } catch (err) {
    console.error('web app build failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
