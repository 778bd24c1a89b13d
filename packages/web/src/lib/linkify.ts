/**
 * A piece of message text: plain, or a web link. `realHost` is set when the host the link goes
 * to (as the browser will resolve it, in punycode) differs from what the text shows.
 */
export type TextPart =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string; realHost?: string };

/** http(s) URLs, and bare `www.` addresses (taken as https). */
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
/** Punctuation that usually ends the sentence rather than the link. */
const TRAILING = /[.,;:!?'")\]}]+$/;
/**
 * Direction controls and invisible characters: inside a URL they make it show something other
 * than where it goes (an RLO turns "exe.pdf" around), so such a URL stays plain text.
 */
const DECEPTIVE = /[\u061C\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

/**
 * Splits text into plain parts and links. Only http and https become links, only when the URL
 * parses and holds no direction controls; everything is still rendered as text by React, never
 * as HTML.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const raw = match[0].replace(TRAILING, '');
    if (DECEPTIVE.test(raw)) continue;
    const url = parse(/^www\./i.test(raw) ? `https://${raw}` : raw);
    if (!url) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    const written = writtenAuthority(raw);
    parts.push(
      written.toLowerCase() === url.host
        ? { kind: 'link', text: raw, href: url.href }
        : { kind: 'link', text: raw, href: url.href, realHost: url.host },
    );
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

function parse(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** The authority as the text spells it (user info included): what a reader takes for the host. */
function writtenAuthority(raw: string): string {
  const rest = raw.replace(/^https?:\/\//i, '');
  const end = rest.search(/[/?#\\]/);
  return end === -1 ? rest : rest.slice(0, end);
}
