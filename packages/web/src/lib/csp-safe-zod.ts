import { config } from 'zod';

/**
 * Zod (through @salon/protocol's validators) compiles fast object parsers with `new Function`
 * when it may, and finds out whether it may by trying once. Under the page's policy (no
 * 'unsafe-eval') the try fails harmlessly but is still reported as a Content-Security-Policy
 * violation on every load, noise that would hide a real one. Without the JIT zod does not try.
 * Imported first by main.tsx, before anything parses.
 */
config({ jitless: true });
