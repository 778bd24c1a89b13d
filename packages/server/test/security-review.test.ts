import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { ErrorBody, RoomDetail } from '@salon/protocol';
import pino from 'pino';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { providerDetail } from '../src/auth/sms/twilio-sms-provider.js';
import { connectRaw, ticketFor } from './cable/helpers/fixtures.js';
import { isType } from './cable/helpers/raw-client.js';
import { api, signIn, startTestServer } from './helpers/salon-server.js';

/** The smaller findings of the security review (issue 8, item 8), each reproduced. */

const codeOf = (body: unknown) => (body as ErrorBody).error.code;

describe('names that lie', () => {
  // "Q3 report\u202Efdp.exe" showed as "Q3 reportexe.pdf".
  test.each([
    ['a right-to-left override', 'Q3 report\u202Efdp.exe'],
    ['a control character', 'Team\u0007'],
    ['only invisible characters', '\u200B\u2060\u3164'],
    ['a stack of combining marks', `Z${'\u0336\u0334\u0338\u0337\u0335\u0321'.repeat(3)}algo`],
  ])('a group name with %s is refused, on create and on rename', async (_what, name) => {
    const server = await startTestServer();
    const me = await signIn(server);
    const res = await api(server, 'POST', '/api/rooms', { name, members: [] }, me.token);
    expect(res.status).toBe(400);
    expect(codeOf(res.body)).toBe('VALIDATION_FAILED');
    const ok = await api(server, 'POST', '/api/rooms', { name: 'Fine', members: [] }, me.token);
    const id = (ok.body as { room: RoomDetail }).room.id;
    const rename = await api(server, 'PATCH', `/api/rooms/${id}`, { name }, me.token);
    expect(codeOf(rename.body)).toBe('VALIDATION_FAILED');
  });

  test('display names refuse combining-mark floods; real accents pass', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    const flood = `A${'\u0301'.repeat(30)}`;
    expect(codeOf((await api(server, 'PATCH', '/api/me', { name: flood }, me.token)).body)).toBe(
      'VALIDATION_FAILED',
    );
    for (const name of ['Nguyễn Thị Ảnh', 'देवनागरी', 'Zoë', '👩🏽‍💻 Ada']) {
      expect((await api(server, 'PATCH', '/api/me', { name }, me.token)).status, name).toBe(200);
    }
  });
});

describe('requests made with the cookie from elsewhere', () => {
  test('a same-site page cannot log a person out; the app itself can', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    const cookie = `salon_session=${me.token}`;
    const logout = (headers: Record<string, string>) =>
      api(server, 'POST', '/api/auth/logout', undefined, undefined, { cookie, ...headers });
    for (const origin of ['https://evil.example', server.url.replace('127.0.0.1', 'localhost')]) {
      const res = await logout({ origin });
      expect(res.status, origin).toBe(403);
      expect(codeOf(res.body)).toBe('ORIGIN_NOT_ALLOWED');
    }
    // No Origin at all with the cookie: not what a browser sends; refused too.
    expect((await logout({})).status).toBe(403);
    expect((await api(server, 'GET', '/api/me', undefined, me.token)).status).toBe(200);
    expect((await logout({ origin: server.url })).status).toBe(204);
    expect((await api(server, 'GET', '/api/me', undefined, me.token)).status).toBe(401);
  });

  test('every state-changing cookie request is checked; bearer tokens are not ambient', async () => {
    const server = await startTestServer();
    const me = await signIn(server);
    const cookie = `salon_session=${me.token}`;
    const evil = { cookie, origin: 'https://evil.example' };
    for (const [method, path, body] of [
      ['POST', '/api/rooms', { name: 'x', members: [] }],
      ['PATCH', '/api/me', { name: 'Mallory' }],
      ['POST', '/api/cable/tickets', undefined],
      ['POST', '/api/blocks', { user_id: me.user.id }],
    ] as const) {
      const res = await api(server, method, path, body, undefined, evil);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // Another site cannot sign a person in to its own account either.
    const verify = await api(
      server,
      'POST',
      '/api/auth/verify',
      { phone: me.phone, code: '123456' },
      undefined,
      {
        origin: 'https://evil.example',
      },
    );
    expect(codeOf(verify.body)).toBe('ORIGIN_NOT_ALLOWED');
    // Reading needs no check; a bearer token from anywhere is fine.
    expect((await api(server, 'GET', '/api/rooms', undefined, undefined, evil)).status).toBe(200);
    const bearer = await api(server, 'PATCH', '/api/me', { name: 'Ok' }, me.token, {
      origin: 'https://evil.example',
    });
    expect(bearer.status).toBe(200);
  });
});

describe('sessions and tickets', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test('an open connection closes when its session expires', async () => {
    const realNow = Date.now.bind(Date);
    let skewMs = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
    const server = await startTestServer({ env: { SALON_SESSION_TTL_DAYS: '1' } });
    const me = await signIn(server);
    const { client } = await connectRaw(server, { token: me.token });
    await client.barrier();
    skewMs = 86_400_000 + 1000;
    const disconnect = await client.nextFrame(isType('disconnect'), 5000);
    expect(disconnect.raw).toBe('{"type":"disconnect","reason":"unauthorized","reconnect":false}');
  });

  test('request logs never show a ticket (query strings are cut)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await startTestServer({ logger: pino({ level: 'info' }, sink) });
    const me = await signIn(server);
    const ticket = await ticketFor(server, me.token);
    await api(server, 'POST', `/cable/poll?ticket=${encodeURIComponent(ticket)}`, '');
    await api(server, 'GET', `/api/rooms?secret=${ticket}`, undefined, me.token);
    expect(lines.some((l) => l.includes('/cable/poll?…'))).toBe(true);
    expect(lines.join('\n')).not.toContain(ticket.slice(0, 20));
  });
});

describe('files and errors', () => {
  test('the data directory is 0700, the database and secret files 0600', async () => {
    const server = await startTestServer();
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(server.dataDir)).toBe(0o700);
    for (const file of ['salon.db', 'salon.db-wal', 'salon.db-shm', 'secret', 'limits.db'])
      expect(mode(`${server.dataDir}/${file}`), file).toBe(0o600);
  });

  test('an empty or short secret file is refused, naming the setting', async () => {
    for (const content of ['', '\n', 'short-secret\n']) {
      const dataDir = fs.mkdtempSync('/tmp/salon-secret-');
      fs.writeFileSync(`${dataDir}/secret`, content, { mode: 0o600 });
      await expect(startTestServer({ dataDir })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        variable: 'SALON_SECRET',
      });
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a malformed URL answers in the documented error shape', async () => {
    const server = await startTestServer();
    for (const path of ['/api/rooms/%E0%A4%A', '/%']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      const body = (await res.json()) as ErrorBody;
      expect(Object.keys(body)).toEqual(['error']);
      expect(typeof body.error.code).toBe('string');
      expect(typeof body.error.message).toBe('string');
    }
  });

  test('a provider error body is logged without the phone number', () => {
    const twilio = JSON.stringify({
      code: 21211,
      message: "The 'To' number +14155552671 is not a valid phone number.",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    expect(providerDetail(twilio)).toBe(
      "21211 The 'To' number [number] is not a valid phone number.",
    );
    expect(providerDetail('Bad number +1 (415) 555-2671, try again')).not.toMatch(/555/);
  });
});
