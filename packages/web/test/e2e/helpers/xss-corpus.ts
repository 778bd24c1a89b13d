/**
 * Script injection attempts to put where the web app shows other people's words: message bodies,
 * display names and group names. Each payload that could run calls `__xss(<id>)`, a sink the test
 * installs before the app loads (`XSS_SINK`), or opens a dialog; the test fails if any fires,
 * and checks that each payload shows as the text it is.
 *
 * Written for this app's ways of turning text into page: React text nodes, `title` attributes,
 * the link maker in src/lib/linkify.ts (http, https and `www.` become <a href>), the page title.
 */

/** The global the payloads call; defined by the test's init script. */
export const XSS_SINK = '__xss';

export interface XssPayload {
  /** Unique across the corpus; what the sink reports. */
  id: number;
  /** What the payload tries, for failure messages. */
  label: string;
  text: string;
}

type Build = (call: string) => string;

/** `__xss(1)` as `&#95;&#95;xss&#40;1&#41;`: what an HTML parser would decode back. */
function entities(call: string): string {
  return call.replace(/[_()]/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** Numbers payloads from `first` on; `call` is the JavaScript each should run if it escaped. */
function corpus(first: number, entries: readonly (readonly [string, Build])[]): XssPayload[] {
  return entries.map(([label, build], i) => {
    const id = first + i;
    return { id, label, text: build(`${XSS_SINK}(${String(id)})`) };
  });
}

/** Message bodies: up to 4,000 characters each; at most ~45 so that one page of history holds them. */
export const BODY_PAYLOADS: readonly XssPayload[] = corpus(1, [
  // Markup as such.
  ['a script tag', (x) => `<script>${x}</script>`],
  ['an image error handler', (x) => `<img src=x onerror=${x}>`],
  ['an SVG onload', (x) => `<svg onload=${x}>`],
  ['a script inside SVG', (x) => `<svg><script>${x}</script></svg>`],
  [
    'a MathML mutation (mXSS)',
    (x) => `<math><mtext><table><mglyph><style><img src=x onerror=${x}>`,
  ],
  ['a noscript mutation', (x) => `<noscript><p title="</noscript><img src=x onerror=${x}>">`],
  ['a details ontoggle', (x) => `<details open ontoggle=${x}>`],
  ['an autofocus onfocus', (x) => `<input autofocus onfocus=${x}>`],
  ['an iframe srcdoc', (x) => `<iframe srcdoc="<script>parent.${x}</script>"></iframe>`],
  ['an iframe javascript: src', (x) => `<iframe src="javascript:${x}"></iframe>`],
  ['an object data', (x) => `<object data="javascript:${x}"></object>`],
  ['a meta refresh', (x) => `<meta http-equiv="refresh" content="0;url=javascript:${x}">`],
  ['a base href', (x) => `<base href="javascript:${x}//">`],
  ['a form action', (x) => `<form action="javascript:${x}"><button>Go</button></form>`],
  [
    'a custom element with a pointer handler',
    (x) => `<x onpointerenter=${x} style=display:block>hover me`,
  ],
  ['a style import', (x) => `<style>@import "javascript:${x}";</style>`],
  ['a template element', (x) => `<template><img src=x onerror=${x}></template>`],
  [
    'an SVG link with xlink:href',
    (x) => `<svg><a xlink:href="javascript:${x}"><text y=20>tap</text></a></svg>`,
  ],
  // Broken and nested markup.
  ['nested script tags', (x) => `<<script>script>${x}<</script>/script>`],
  ['a comment that closes early', (x) => `<!--<img src="--><img src=x onerror=${x}//">`],
  ['an unquoted attribute breakout', (x) => `"><script>${x}</script>`],
  ['a textarea breakout', (x) => `</textarea><script>${x}</script>`],
  ['a title breakout', (x) => `</title><script>${x}</script>`],
  ['a JSON-in-script breakout', (x) => `"}]}</script><script>${x}</script>`],
  ['entity-encoded markup', (x) => `&lt;img src=x onerror=${x}&gt;`],
  ['an entity-encoded handler', (x) => `<img src=x onerror=${entities(x)}>`],
  ['percent-encoded markup', (x) => `%3Cscript%3E${x}%3C/script%3E`],
  // Links: other schemes, and the app's own link maker.
  ['a javascript: link in HTML', (x) => `<a href="javascript:${x}">open</a>`],
  ['a bare javascript: URL', (x) => `javascript:${x}`],
  ['a tab-split javascript: URL', (x) => `jav\tascript:${x}`],
  ['a data: URL', (x) => `data:text/html,<script>${x}</script>`],
  ['a vbscript: URL', (x) => `vbscript:${x}`],
  ['a markdown link', (x) => `[click me](javascript:${x})`],
  ['a markdown link with a title', (x) => `[x](https://example.com "title" onmouseover="${x}")`],
  ['a link followed by markup', (x) => `https://example.com/"><img src=x onerror=${x}>`],
  ['markup inside a link', (x) => `https://example.com/?q=<script>${x}</script>`],
  ['a www. link breaking out of its href', (x) => `www.example.com/'onmouseover='${x}'`],
  ['a link with a javascript: user', (x) => `http://javascript:${x}@example.com/`],
  ['a link in a fragment', (x) => `https://example.com/#"><svg onload=${x}>`],
  // Template syntaxes: text, never evaluated.
  ['a template expression', (x) => `{{constructor.constructor('${x}')()}}`],
  ['a template literal', (x) => `\${${x}}`],
  // Unicode tricks.
  ['a right-to-left override around markup', (x) => `\u202E<img src=x onerror=${x}>\u202C`],
  ['a zero-width split scheme', (x) => `java\u200Bscript:${x}`],
  ['a line separator before a script', (x) => `one\u2028<script>${x}</script>\u2029two`],
  // Size.
  ['a long run before the handler', (x) => `${'A'.repeat(3800)}<img src=x onerror=${x}>`],
  ['a very long link', (x) => `https://example.com/${'a'.repeat(3000)}"onmouseover="${x}"`],
]);

/** Typed through the composer, as a person would (the rest go over the API: faster). */
export const COMPOSER_PAYLOADS: readonly XssPayload[] = corpus(60, [
  ['a typed script tag', (x) => `<script>${x}</script>`],
  ['a typed textarea breakout', (x) => `</textarea><img src=x onerror=${x}>`],
  ['a typed template expression', (x) => `{{${x}}}`],
  ['a typed link-maker attack', (x) => `https://example.com/"onclick="${x}`],
]);

/**
 * Display names: 1 to 64 visible characters, no controls or direction overrides (the server
 * refuses those: security-review.test.ts), so every payload here is one the server accepts.
 */
export const NAME_PAYLOADS: readonly XssPayload[] = corpus(100, [
  ['a name with an image handler', (x) => `<img src=x onerror=${x}>`],
  ['a name with an SVG onload', (x) => `<svg onload=${x}>`],
  ['a name that closes the title', (x) => `</title><script>${x}</script>`],
  ['a name that breaks out of an attribute', (x) => `" onmouseover="${x}" x="`],
  ['a name that is a template', (x) => `{{constructor.constructor('${x}')()}}`],
  ['a name that is a link', (x) => `https://e.example/"><svg onload=${x}>`],
]);

/** Group names: 1 to 100 visible characters, same rules as display names. */
export const ROOM_NAME_PAYLOADS: readonly XssPayload[] = corpus(200, [
  ['a group name with a script tag', (x) => `<script>${x}</script>`],
  ['a group name with a details handler', (x) => `<details open ontoggle=${x}>`],
  ['a group name closing a textarea', (x) => `</textarea><img src=x onerror=${x}>`],
  ['a group name that is a markdown link', (x) => `[Team](javascript:${x})`],
  [
    'a group name breaking out of an attribute',
    (x) => `'><iframe srcdoc="<script>parent.${x}</script>">`,
  ],
]);

/** Every payload, by id: what a sink report names. */
export const ALL_PAYLOADS: ReadonlyMap<number, XssPayload> = new Map(
  [...BODY_PAYLOADS, ...COMPOSER_PAYLOADS, ...NAME_PAYLOADS, ...ROOM_NAME_PAYLOADS].map((p) => [
    p.id,
    p,
  ]),
);
