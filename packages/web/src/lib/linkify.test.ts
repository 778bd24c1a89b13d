import { describe, expect, it } from 'vitest';
import { linkify } from './linkify.js';

describe('linkify', () => {
  it('links http(s) URLs and leaves the rest as text', () => {
    expect(linkify('see https://example.com/a?b=1, then')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', then' },
    ]);
    expect(linkify('javascript:alert(1) ftp://x.y')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) ftp://x.y' },
    ]);
  });

  it('links www. addresses as https', () => {
    expect(linkify('go to www.example.org/docs.')).toEqual([
      { kind: 'text', text: 'go to ' },
      { kind: 'link', text: 'www.example.org/docs', href: 'https://www.example.org/docs' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('shows the real host when it differs from the written one (look-alike letters)', () => {
    // The first letter is the Cyrillic а (U+0430).
    const [part] = linkify('https://\u0430pple.com/login');
    expect(part).toEqual({
      kind: 'link',
      text: 'https://\u0430pple.com/login',
      href: 'https://xn--pple-43d.com/login',
      realHost: 'xn--pple-43d.com',
    });
  });

  it('shows the real host when user info pretends to be one', () => {
    const [part] = linkify('https://apple.com@evil.example/x');
    expect(part).toMatchObject({ kind: 'link', realHost: 'evil.example' });
  });

  it('adds nothing when the host is as written (ports and case included)', () => {
    const [part] = linkify('HTTPS://Example.COM:8443/x');
    expect(part).toEqual({
      kind: 'link',
      text: 'HTTPS://Example.COM:8443/x',
      href: 'https://example.com:8443/x',
    });
  });

  it('does not make a link of a URL holding direction controls', () => {
    const text = 'https://example.com/\u202Efdp.exe';
    expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    expect(linkify('www.exa\u200Bmple.com')).toEqual([
      { kind: 'text', text: 'www.exa\u200Bmple.com' },
    ]);
  });
});
