import { fileURLToPath } from 'node:url';

/** Where a failing browser test leaves screenshots: .test-artifacts/e2e at the repository root (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(
  new URL('../../../../../.test-artifacts/e2e/', import.meta.url),
);
