import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { api, startTestServer, testPhone } from './helpers/salon-server.js';
import { waitFor } from './helpers/wait-for.js';

/** SMS goes out as a job: provider trouble is retried off the request path. */

describe('when Twilio fails', () => {
  test('a 500 is retried with backoff and the code still arrives', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    server.sms.failNext(2, 500);
    expect((await api(server, 'POST', '/api/auth/otp', { phone })).status).toBe(202);
    // Two failures then a success: backoff waits about 0.5 s then 1 s (±50%).
    const code = await server.sms.nextCode(phone, 10_000);
    expect((await api(server, 'POST', '/api/auth/verify', { phone, code })).status).toBe(200);
    await waitFor('the job queue to empty', () => server.salon.jobs.pending === 0);
    expect(server.sms.messages.filter((m) => m.to === phone)).toHaveLength(1);
  });

  test('a 429 is retried too', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    server.sms.failNext(1, 429);
    expect((await api(server, 'POST', '/api/auth/otp', { phone })).status).toBe(202);
    await server.sms.nextMessage(phone, 10_000);
  });

  test('a 400 (a number Twilio refuses) is not retried', async () => {
    const server = await startTestServer();
    const phone = testPhone();
    server.sms.failNext(1, 400);
    expect((await api(server, 'POST', '/api/auth/otp', { phone })).status).toBe(202);
    // Had the job been retried, the retry would succeed and leave a message; it must not.
    await waitFor('the job to give up', () => server.salon.jobs.pending === 0);
    expect(server.sms.messages).toEqual([]);

    // The failure used up exactly one request: the next code goes through at once.
    expect((await api(server, 'POST', '/api/auth/otp', { phone })).status).toBe(202);
    await server.sms.nextMessage(phone);
    await waitFor('the job queue to empty', () => server.salon.jobs.pending === 0);
    expect(server.sms.messages).toHaveLength(1);
  });

  test('a provider that hangs does not hold up the answer', async () => {
    // A Twilio stand-in that holds every request until the test lets it go.
    const held: http.ServerResponse[] = [];
    const stall = http.createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          stall.closeAllConnections();
          stall.close(() => resolve());
        }),
    );
    const { port } = stall.address() as AddressInfo;
    const server = await startTestServer({
      env: { SALON_TWILIO_BASE_URL: `http://127.0.0.1:${String(port)}` },
    });

    const phone = testPhone();
    const started = performance.now();
    const res = await api(server, 'POST', '/api/auth/otp', { phone });
    expect(res.status).toBe(202);
    expect(performance.now() - started).toBeLessThan(1000);
    // The SMS is still in flight at Twilio while the client already has its answer.
    await waitFor('the provider to receive the SMS', () => held.length === 1);
    expect(server.salon.jobs.pending).toBe(1);

    for (const r of held) r.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    await waitFor('the job to finish', () => server.salon.jobs.pending === 0);
  });
});
