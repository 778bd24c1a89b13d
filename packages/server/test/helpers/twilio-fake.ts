import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSms {
  accountSid: string;
  to: string;
  from: string;
  body: string;
  /** The Authorization header as received (HTTP basic). */
  authorization: string | undefined;
}

export interface TwilioFake {
  baseUrl: string;
  readonly messages: FakeSms[];
  /** Makes the next `n` requests fail with `status` (to test retries). */
  failNext(n: number, status: number): void;
  /** Leaves the next `n` requests unanswered until close (a provider that hangs). */
  holdNext(n: number): void;
  /** How many requests are being left unanswered now. */
  readonly held: number;
  /** Resolves with the next SMS sent to `to` (or already received and not yet taken). */
  nextMessage(to: string, timeoutMs?: number): Promise<FakeSms>;
  /** The 6-digit code of the next SMS to `to`. */
  nextCode(to: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * A Twilio Messages API look-alike on loopback: accepts
 * POST /2010-04-01/Accounts/{sid}/Messages.json (form-encoded To, From, Body; basic auth) and
 * answers 201 like Twilio, keeping every message for the test to read.
 */
export async function startTwilioFake(): Promise<TwilioFake> {
  const messages: FakeSms[] = [];
  const taken = new Set<FakeSms>();
  const waiters: (() => void)[] = [];
  let failures: { n: number; status: number } = { n: 0, status: 500 };
  let toHold = 0;
  let held = 0;

  const server = http.createServer((req, res) => {
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m?.[1]) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":20404}');
      return;
    }
    const accountSid = decodeURIComponent(m[1]);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (toHold > 0) {
        toHold--;
        held++;
        res.on('close', () => held--);
        return;
      }
      if (failures.n > 0) {
        failures = { n: failures.n - 1, status: failures.status };
        res
          .writeHead(failures.status, { 'content-type': 'application/json' })
          .end('{"code":20500}');
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const sms: FakeSms = {
        accountSid,
        to: form.get('To') ?? '',
        from: form.get('From') ?? '',
        body: form.get('Body') ?? '',
        authorization: req.headers.authorization,
      };
      messages.push(sms);
      for (const w of waiters.splice(0)) w();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ sid: `SM${String(messages.length)}`, status: 'queued', to: sms.to }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  async function nextMessage(to: string, timeoutMs = 5000): Promise<FakeSms> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find((msg) => msg.to === to && !taken.has(msg));
      if (found) {
        taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SMS to ${to} within ${String(timeoutMs)} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  return {
    baseUrl: `http://127.0.0.1:${String(port)}`,
    messages,
    failNext(n, status) {
      failures = { n, status };
    },
    holdNext(n) {
      toHold = n;
    },
    get held() {
      return held;
    },
    nextMessage,
    async nextCode(to, timeoutMs) {
      const sms = await nextMessage(to, timeoutMs);
      const code = /\b(\d{6,10})\b/.exec(sms.body)?.[1];
      if (code === undefined) throw new Error(`SMS without a code: ${sms.body}`);
      return code;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
