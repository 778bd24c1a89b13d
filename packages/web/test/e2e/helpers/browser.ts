import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the tests never download a browser of their own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The exact command that installs it, printed when the tests cannot run it themselves. */
export const INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y chromium';

/**
 * Headless, no sandbox (containers often run as root), and nothing that talks to Google in the
 * background: the only network traffic is the test's own server on loopback.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Makes sure /usr/bin/chromium exists: installs it with apt-get where that is possible (Linux, as
 * root, apt-get present), and otherwise throws with the command to run. Never skips silently.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const root = process.getuid?.() === 0;
  if (process.platform === 'linux' && root && hasAptGet()) {
    console.log(
      `[e2e] ${CHROMIUM_PATH} is missing: installing Debian's chromium with apt-get (one time)…`,
    );
    // Inherit stdio: apt-get's progress is the only sign of life during a long install.
    execSync('apt-get update && apt-get install -y chromium', {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (existsSync(CHROMIUM_PATH)) return;
    throw new Error(
      `[e2e] apt-get install -y chromium finished but ${CHROMIUM_PATH} is still missing`,
    );
  }
  throw new Error(
    `[e2e] The browser tests need Chromium at ${CHROMIUM_PATH}. Install it with:\n\n    ${INSTALL_COMMAND}\n\n` +
      '(on Debian or Ubuntu; the tests never download a browser themselves).',
  );
}

function hasAptGet(): boolean {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One headless Chromium for a test file; each person in a test gets a context of their own. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
