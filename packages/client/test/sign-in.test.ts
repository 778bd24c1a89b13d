import { describe, expect, it } from 'vitest';
import { SalonApiError } from '../src/index.js';
import { startTestServer, testPhone } from '../../server/test/helpers/salon-server.js';
import { clientFor } from './helpers/sdk.js';

async function apiError(promise: Promise<unknown>): Promise<SalonApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SalonApiError) return err;
    throw err;
  }
  throw new Error('expected a SalonApiError, but the call succeeded');
}

describe('sign-in through the SDK', () => {
  it('requests a code, verifies it, names the user, and loadMe is null after logout', async () => {
    const server = await startTestServer();
    const tokens: (string | null)[] = [];
    const client = clientFor(server, undefined, { onToken: (t) => tokens.push(t) });
    expect(await client.loadMe()).toBeNull();

    const phone = testPhone();
    await client.requestCode(phone);
    const code = await server.sms.nextCode(phone);
    const user = await client.verify(phone, code);
    expect(user).toMatchObject({ phone, name: null });
    expect(client.me?.id).toBe(user.id);
    expect(client.token).toEqual(expect.any(String));
    expect(tokens).toEqual([client.token]);

    expect(await client.updateName('Ana')).toMatchObject({ id: user.id, name: 'Ana' });
    // A second client with the persisted token is the same person.
    const again = clientFor(server, undefined, { token: client.token! });
    expect(await again.loadMe()).toMatchObject({ id: user.id, name: 'Ana' });

    await client.logout();
    expect(client.me).toBeNull();
    expect(client.token).toBeUndefined();
    expect(tokens).toEqual([expect.any(String), null]);
    expect(await client.loadMe()).toBeNull();
    // The session is over on the server too, not just forgotten here.
    expect(await again.loadMe()).toBeNull();
    expect(again.me).toBeNull();
  });

  it('reports bad input with stable codes', async () => {
    const server = await startTestServer();
    const client = clientFor(server, undefined);

    const badPhone = await apiError(client.requestCode('not a phone'));
    expect(badPhone).toMatchObject({ code: 'INVALID_PHONE', status: 400 });
    expect(badPhone.message).not.toBe('');

    const phone = testPhone();
    await client.requestCode(phone);
    const code = await server.sms.nextCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await apiError(client.verify(phone, wrong))).toMatchObject({ code: 'OTP_INVALID' });
    expect(client.me).toBeNull();
    expect(client.token).toBeUndefined();
    // The right code still works after one wrong try.
    expect((await client.verify(phone, code)).phone).toBe(phone);
  });

  it('says how long to wait when rate limited', async () => {
    const server = await startTestServer({ env: { SALON_OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const client = clientFor(server, undefined);
    const phone = testPhone();
    await client.requestCode(phone);
    const limited = await apiError(client.requestCode(phone));
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(25);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(30);
  });
});
