import { describe, expect, test } from 'vitest';
import { api, testPhone, type TestServer, startTestServer } from './helpers/salon-server.js';

/** The session cookie's attributes as the real sign-in and sign-out routes set them. */

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags (HttpOnly, Secure) map to ''. */
  attributes: Map<string, string>;
}

function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    attributes.set(key, i < 0 ? '' : part.slice(i + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

/** Signs in over /api/auth/verify with `headers`; the one Set-Cookie it answers, and the token. */
async function signInCookie(
  server: TestServer,
  headers: Record<string, string> = {},
): Promise<{ cookie: SetCookie; token: string }> {
  const phone = testPhone();
  expect((await api(server, 'POST', '/api/auth/otp', { phone }, undefined, headers)).status).toBe(
    202,
  );
  const code = await server.sms.nextCode(phone);
  const res = await api(server, 'POST', '/api/auth/verify', { phone, code }, undefined, headers);
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie();
  expect(cookies).toHaveLength(1);
  return { cookie: parseSetCookie(cookies[0] ?? ''), token: (res.body as { token: string }).token };
}

function expectSessionFlags(cookie: SetCookie, secure: boolean): void {
  expect(cookie.name).toBe('salon_session');
  expect(cookie.attributes.has('httponly')).toBe(true);
  // Strict, not Lax: see sessionCookieOptions in request-auth.ts for why.
  expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('strict');
  expect(cookie.attributes.get('path')).toBe('/');
  expect(cookie.attributes.has('domain')).toBe(false);
  expect(cookie.attributes.has('secure')).toBe(secure);
}

describe('the session cookie', () => {
  test('over plain http: HttpOnly, SameSite=Strict, Path=/, no Domain, not Secure', async () => {
    const server = await startTestServer();
    const { cookie, token } = await signInCookie(server);
    expectSessionFlags(cookie, false);
    expect(cookie.value).toBe(token);
    const expires = Date.parse(cookie.attributes.get('expires') ?? '');
    // The default session lifetime is days away, not a browser-session cookie.
    expect(expires - Date.now()).toBeGreaterThan(86_400_000);

    // Signing out clears it with the same attributes (a cookie differing in Path or Domain
    // would not be the one cleared).
    const res = await api(server, 'POST', '/api/auth/logout', undefined, undefined, {
      cookie: `salon_session=${token}`,
      origin: server.url,
    });
    expect(res.status).toBe(204);
    const cleared = parseSetCookie(res.headers.getSetCookie()[0] ?? '');
    expectSessionFlags(cleared, false);
    expect(cleared.value).toBe('');
    expect(Date.parse(cleared.attributes.get('expires') ?? '')).toBeLessThanOrEqual(Date.now());
  });

  test('Secure when a trusted proxy says the client used https, and only then', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    // The test client connects from loopback: trusting one hop trusts it as the proxy.
    const proxied = await startTestServer({ env: { SALON_TRUST_PROXY: 'true' } });
    expectSessionFlags((await signInCookie(proxied, https)).cookie, true);
    expectSessionFlags((await signInCookie(proxied)).cookie, false);

    // Without a trusted proxy, anyone can write the header: it does not count.
    const direct = await startTestServer();
    expectSessionFlags((await signInCookie(direct, https)).cookie, false);
  });
});
