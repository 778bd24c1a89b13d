// A build's stamp: the inputs it was made from (path, size and modification time of each file),
// written beside the output once the build succeeded. The output is fresh while every recorded
// input still has the same size and time: an edited, replaced or deleted input makes it stale.
// Used by the builds `npm start` runs only when their sources changed.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files below `paths` (each a file or a directory), sorted; absent paths are skipped. */
export function listFiles(paths) {
  const files = [];
  const walk = (path) => {
    if (!existsSync(path)) return;
    if (!statSync(path).isDirectory()) {
      files.push(path);
      return;
    }
    for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  for (const path of paths) walk(path);
  return [...new Set(files)].sort();
}

/** `size:mtime` of each file, or `absent`. */
function fingerprint(files) {
  return Object.fromEntries(
    files.map((file) => {
      if (!existsSync(file)) return [file, 'absent'];
      const info = statSync(file);
      return [file, `${String(info.size)}:${String(info.mtimeMs)}`];
    }),
  );
}

/** Whether the stamp at `stampFile` exists and every input it names is unchanged. */
export function isFresh(stampFile) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(stampFile, 'utf8')).inputs;
  } catch {
    return false;
  }
  if (typeof recorded !== 'object' || recorded === null) return false;
  const files = Object.keys(recorded);
  if (files.length === 0) return false;
  const now = fingerprint(files);
  return files.every((file) => now[file] === recorded[file]);
}

/**
 * Records `files` as the inputs of the output beside `stampFile`, as they are now. Call it right
 * after the build: a file saved during the build's second would be recorded as built.
 */
export function writeStamp(stampFile, files) {
  writeFileSync(stampFile, `${JSON.stringify({ inputs: fingerprint(files) }, null, 1)}\n`);
}
