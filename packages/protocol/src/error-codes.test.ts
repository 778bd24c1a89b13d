import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CLOSE_CODES } from './cable-frames.js';
import { ERROR_CODES, isErrorCode } from './error-codes.js';

const docs = fs.readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/errors.md'),
  'utf8',
);
/** First cells of the docs' table rows: | `CODE` | … */
const documented = [...docs.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]!);

describe('error codes', () => {
  test('are unique UPPER_SNAKE names', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });

  test('isErrorCode knows exactly the registry', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    for (const other of ['', 'bad_request', 'NOPE', 42, null, undefined]) {
      expect(isErrorCode(other)).toBe(false);
    }
  });

  test('docs/errors.md has one row for every code, and for the two that stay server-side', () => {
    expect([...documented].sort()).toEqual(
      [...ERROR_CODES, 'CONFIG_INVALID', 'SMS_SEND_FAILED'].sort(),
    );
  });

  test('docs/errors.md lists every WebSocket close code', () => {
    for (const [reason, code] of Object.entries(CLOSE_CODES)) {
      expect(docs).toMatch(new RegExp(`^\\| ${String(code)} +\\| \`${reason}\` +\\|`, 'm'));
    }
  });
});
