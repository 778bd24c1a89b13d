import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The first screen's weight budget: index.html and everything it makes the browser fetch before
 * the app can draw (its module scripts, stylesheets and modulepreloads), gzipped. Screens,
 * dialogs and the live connection's code are chunks loaded on demand and do not count. The
 * global setup builds dist from the current sources before this file runs.
 */
const BUDGET_BYTES = 80_000;

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/** The opening `<script>` and `<link>` tags of an HTML document, with their attributes. */
function scriptAndLinkTags(html: string): Tag[] {
  return [...html.matchAll(/<(script|link)\b([^>]*)>/gi)].map((match) => ({
    name: (match[1] ?? '').toLowerCase(),
    attrs: new Map(
      [...(match[2] ?? '').matchAll(/([\w-]+)(?:\s*=\s*"([^"]*)")?/g)].map(
        (attr) => [(attr[1] ?? '').toLowerCase(), attr[2] ?? ''] as const,
      ),
    ),
  }));
}

/** Paths (from the site root) of what the first screen loads besides the page itself. */
function firstScreenAssets(html: string): string[] {
  const assets: string[] = [];
  for (const tag of scriptAndLinkTags(html)) {
    const src = tag.attrs.get('src');
    const href = tag.attrs.get('href');
    const rel = tag.attrs.get('rel');
    if (tag.name === 'script' && src !== undefined) assets.push(src);
    else if (tag.name === 'link' && href !== undefined)
      if (rel === 'stylesheet' || rel === 'modulepreload') assets.push(href);
  }
  return assets;
}

function gzippedSize(file: string): number {
  return gzipSync(fs.readFileSync(file)).length;
}

describe('the first screen', () => {
  it(`loads at most ${String(BUDGET_BYTES / 1000)} KB gzipped (HTML, scripts, styles, preloads)`, () => {
    const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const assets = firstScreenAssets(html);
    // A page that references no script would pass any budget while showing nothing.
    expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);

    const sizes = new Map<string, number>([
      ['/index.html', gzippedSize(path.join(DIST, 'index.html'))],
    ]);
    for (const asset of assets) {
      expect(asset, 'assets are served from the site root').toMatch(/^\/[^/]/);
      sizes.set(asset, gzippedSize(path.join(DIST, asset)));
    }
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    const table = [...sizes].map(([asset, size]) => `${asset}: ${String(size)} B`).join('\n');
    expect(total, `first screen, gzipped:\n${table}`).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
