import type { BrowserContext, Page } from 'playwright-core';
import { XSS_SINK } from './xss-corpus.js';

/**
 * Everything that would show a script ran where it should not, or was stopped by the
 * Content-Security-Policy, recorded from outside the page: calls of the `__xss` sink (a Playwright
 * binding, so it exists in every frame and survives navigations), dialogs, new windows, and CSP
 * violations (the `securitypolicyviolation` event, and Chromium's console report of them).
 */
export interface ScriptTraps {
  /** "payload 12", "dialog: 1", "popup: javascript:…": what ran. */
  readonly fired: string[];
  /** "script-src-elem inline <sample>": what the policy blocked. */
  readonly violations: string[];
  /** Chromium's console lines that mention the policy (framing refusals land only here). */
  readonly cspConsole: string[];
}

const VIOLATION_BINDING = '__cspViolation';

/** Reports each violation, with its directive, the blocked URL and the first characters of it. */
const VIOLATION_LISTENER = `
  window.addEventListener('securitypolicyviolation', (e) => {
    window.${VIOLATION_BINDING}([e.violatedDirective, e.blockedURI, e.sample].join(' '));
  }, true);
`;

/** Installs the traps on `context`; call before its pages load the app. */
export async function installScriptTraps(context: BrowserContext): Promise<ScriptTraps> {
  const traps: ScriptTraps = { fired: [], violations: [], cspConsole: [] };
  await context.exposeFunction(XSS_SINK, (id: unknown) => {
    traps.fired.push(`payload ${String(id)}`);
  });
  await context.exposeFunction(VIOLATION_BINDING, (what: unknown) => {
    traps.violations.push(String(what));
  });
  await context.addInitScript({ content: VIOLATION_LISTENER });
  const watch = (page: Page) => {
    page.on('dialog', (dialog) => {
      traps.fired.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) traps.cspConsole.push(message.text());
    });
  };
  context.pages().forEach(watch);
  // The app opens no window by itself; a new one means a link or script did.
  context.on('page', (page) => {
    traps.fired.push(`popup: ${page.url()}`);
    watch(page);
  });
  return traps;
}
