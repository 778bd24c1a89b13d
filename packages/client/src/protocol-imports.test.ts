import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));

// The protocol's root entry brings the server's zod validators (and zod) into every browser that
// loads the SDK; the SDK takes types and constants from its zod-free `./wire` entry.
test('the SDK imports @salon/protocol only through its zod-free ./wire entry', () => {
  const offenders = fs
    .readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .filter((file) =>
      /from\s+['"]@salon\/protocol(?!\/wire['"])/.test(
        fs.readFileSync(path.join(SRC, file), 'utf8'),
      ),
    );
  expect(offenders).toEqual([]);
});
