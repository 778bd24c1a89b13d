import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from './config.js';
import { ensurePrivateDir, narrowIfPresent } from './private-files.js';

/** The shortest secret accepted, from SALON_SECRET or the file (about 190 bits of base64url). */
export const MIN_SECRET_LENGTH = 32;

/**
 * The server's signing key: SALON_SECRET when set, else the one kept in `<dataDir>/secret`
 * (made on first start, readable only by the owner). Keeping it lets codes and tickets survive a
 * restart; every node of a cluster must share it.
 */
export function loadSecret(configured: string | undefined, dataDir: string): string {
  if (configured !== undefined) return configured;
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, 'secret');
  try {
    const kept = readKept(file);
    narrowIfPresent(file, 0o600);
    return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKept(file);
    throw err;
  }
}

/**
 * The secret kept in `file`. An empty or short one (a truncated file, a placeholder someone
 * wrote) is refused: signing with it would make every code and ticket guessable.
 */
function readKept(file: string): string {
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_SECRET_LENGTH)
    throw new ConfigError(
      'SALON_SECRET',
      `${file} holds ${secret.length === 0 ? 'no secret' : 'a secret shorter than 32 characters'}; delete the file to have a new one made, or set SALON_SECRET`,
    );
  return secret;
}
