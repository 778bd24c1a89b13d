import fs from 'node:fs';

/**
 * Salon's data (the database, its WAL, the secret, limit counters) is readable by its owner only:
 * a chat history or a signing key in a world-readable file is a leak on any shared machine.
 */

/** Makes `dir` (and its parents) if needed; narrows it to 0700 if it is ours and wider. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  narrow(dir, 0o700);
}

/**
 * Makes `file` empty if it does not exist, owner-only (0600), before anything else opens it;
 * narrows an existing one (made by an older version) that is ours and wider.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  narrow(file, 0o600);
}

/** Narrows an existing file that is ours, if it exists (a WAL file may not yet). */
export function narrowIfPresent(file: string, mode: number): void {
  if (fs.existsSync(file)) narrow(file, mode);
}

function narrow(target: string, mode: number): void {
  const st = fs.statSync(target);
  if ((st.mode & 0o777 & ~mode) === 0) return;
  // Someone else's directory (e.g. a shared mount) is left alone: chmod would fail anyway.
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return;
  fs.chmodSync(target, mode);
}
