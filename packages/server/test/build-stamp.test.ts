import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { isFresh, writeStamp } from '../../../scripts/build-stamp.mjs';

/** The stamp `npm start` decides with whether to compile the server again. */

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salon-stamp-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a stamp is fresh until an input it names is edited, deleted, or the stamp is missing', () => {
  const dir = tempDir();
  const a = path.join(dir, 'a.ts');
  const b = path.join(dir, 'b.ts');
  const stamp = path.join(dir, 'stamp.json');
  fs.writeFileSync(a, 'export const a = 1;\n');
  fs.writeFileSync(b, 'export const b = 1;\n');
  expect(isFresh(stamp)).toBe(false);

  writeStamp(stamp, [a, b]);
  expect(isFresh(stamp)).toBe(true);

  // Same size, later time: an edit that kept the length.
  fs.utimesSync(a, new Date(), new Date(Date.now() + 5000));
  expect(isFresh(stamp)).toBe(false);
  writeStamp(stamp, [a, b]);
  expect(isFresh(stamp)).toBe(true);

  fs.rmSync(b);
  expect(isFresh(stamp)).toBe(false);
  // An input that did not exist at build time must still not exist.
  writeStamp(stamp, [a, b]);
  expect(isFresh(stamp)).toBe(true);
  fs.writeFileSync(b, 'new\n');
  expect(isFresh(stamp)).toBe(false);

  fs.writeFileSync(stamp, 'not json');
  expect(isFresh(stamp)).toBe(false);
});
