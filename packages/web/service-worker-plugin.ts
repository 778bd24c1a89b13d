import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Plugin } from 'vite';

/**
 * Emits `sw.js` (from sw/service-worker.js) with the list of files the app shell is made of:
 * every file of the build and of public/, and a version that changes whenever one of them does,
 * so that a new build replaces the old shell.
 */
export function serviceWorker(webRoot: string): Plugin {
  const source = join(webRoot, 'sw', 'service-worker.js');
  const publicDir = join(webRoot, 'public');
  return {
    name: 'salon-service-worker',
    apply: 'build',
    // After Vite's own HTML plugin, so that index.html is in the bundle.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((file) => !file.endsWith('.map'));
      const files = [...new Set([...built, 'index.html', ...filesUnder(publicDir)])].sort();
      const hash = createHash('sha256');
      for (const file of built) {
        const chunk = bundle[file];
        hash.update(file);
        if (chunk?.type === 'asset') hash.update(chunk.source);
        else if (chunk?.type === 'chunk') hash.update(chunk.code);
      }
      const precache = files.map((file) => `/${file}`);
      const code = readFileSync(source, 'utf8')
        .replace("= '__VERSION__';", `= '${hash.digest('hex').slice(0, 16)}';`)
        .replace('= __PRECACHE__;', `= ${JSON.stringify(precache)};`);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: code });
    },
  };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path).map((f) => `${entry}/${f}`));
    else out.push(entry);
  }
  return out.map((f) => f.split(sep).join('/'));
}
