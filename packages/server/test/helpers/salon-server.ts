import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { onTestFinished } from 'vitest';
import { createSalon, type Salon } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { TEST_DB, freshPgDatabase } from './test-database.js';
import { smsToFake, WIDE_LIMITS } from './test-env.js';
import { startTwilioFake, type TwilioFake } from './twilio-fake.js';

export interface TestServer {
  salon: Salon;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT */
  wsUrl: string;
  port: number;
  dataDir: string;
  /** `sqlite:<data dir>/salon.db`, or the fresh PostgreSQL database of this server. */
  databaseUrl: string;
  sms: TwilioFake;
  /** Closes the server (idempotent); the data dir stays until the test ends, for restarts. */
  close(): Promise<void>;
  /** Closes and starts a new server on the same data dir and port. */
  restart(): Promise<TestServer>;
}

export interface StartOptions {
  /** Extra environment, e.g. { SALON_OTP_PER_IP_PER_HOUR: '2' }. */
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests); default: a fresh temp dir removed after the test. */
  dataDir?: string;
  /**
   * Reuse a database (restart tests). Default: the data dir's SQLite file, or with
   * SALON_TEST_DB=postgres a fresh PostgreSQL database dropped after the test.
   */
  databaseUrl?: string;
  port?: number;
  sms?: TwilioFake;
  /** The server's logger (default: pino at SALON_TEST_LOG_LEVEL, silent unless set). */
  logger?: pino.Logger;
}

/**
 * Starts a real Salon on 127.0.0.1 (port 0 unless given), on a real SQLite file in a temp dir (or
 * a fresh PostgreSQL database when the run is a PostgreSQL one), sending SMS through the real Twilio provider to a fake on loopback. Closes itself when the test
 * finishes.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'salon-test-'));
  const ownsDataDir = options.dataDir === undefined;
  const sms = options.sms ?? (await startTwilioFake());
  const ownsSms = options.sms === undefined;
  const databaseUrl =
    options.databaseUrl ??
    (TEST_DB === 'postgres' ? await freshPgDatabase() : `sqlite:${path.join(dataDir, 'salon.db')}`);
  const config = loadConfig({
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    SALON_DATA_DIR: dataDir,
    SALON_DATABASE_URL: databaseUrl,
    SALON_LOG_LEVEL: process.env.SALON_TEST_LOG_LEVEL ?? 'silent',
    ...smsToFake(sms),
    ...WIDE_LIMITS,
    ...options.env,
  });
  const logger = options.logger ?? pino({ level: config.logLevel });
  const salon = await createSalon(config, { logger });
  const port = await salon.listen();
  let closed = false;
  const server: TestServer = {
    salon,
    port,
    url: `http://127.0.0.1:${String(port)}`,
    wsUrl: `ws://127.0.0.1:${String(port)}`,
    dataDir,
    databaseUrl,
    sms,
    async close() {
      if (closed) return;
      closed = true;
      await salon.close();
    },
    async restart() {
      await server.close();
      return startTestServer({ ...options, dataDir, databaseUrl, port, sms });
    },
  };
  onTestFinished(async () => {
    await server.close();
    if (ownsSms) await sms.close();
    if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return server;
}

/** What the HTTP and cable helpers need of a server: its addresses and its SMS fake. */
export type ServerAddress = Pick<TestServer, 'url' | 'wsUrl' | 'sms'>;

let phoneCounter = 0;

/** A valid, unique US number for each call (555-01xx numbers are not valid, so use real ranges). */
export function testPhone(): string {
  phoneCounter++;
  return `+1415${String(2000000 + ((process.pid * 7919 + phoneCounter) % 7000000)).padStart(7, '0')}`;
}

export interface SignedIn {
  token: string;
  user: { id: string; phone: string; name: string | null };
  phone: string;
}

/** Signs `phone` in through the real HTTP flow, reading the code from the SMS fake. */
export async function signIn(
  server: Pick<ServerAddress, 'url' | 'sms'>,
  phone = testPhone(),
  name?: string,
): Promise<SignedIn> {
  const otp = await api(server, 'POST', '/api/auth/otp', { phone });
  if (otp.status !== 202)
    throw new Error(`otp request failed: ${String(otp.status)} ${JSON.stringify(otp.body)}`);
  const code = await server.sms.nextCode(phone);
  const res = await api(server, 'POST', '/api/auth/verify', { phone, code });
  if (res.status !== 200)
    throw new Error(`verify failed: ${String(res.status)} ${JSON.stringify(res.body)}`);
  const body = res.body as { token: string; user: SignedIn['user'] };
  if (name !== undefined) {
    await api(server, 'PATCH', '/api/me', { name }, body.token);
    body.user.name = name;
  }
  return { ...body, phone };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One JSON request to the server; `body` is JSON-encoded unless it is already a string. */
export async function api(
  server: Pick<TestServer, 'url'>,
  method: string,
  pathname: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const res = await fetch(`${server.url}${pathname}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Keep the raw text: some tests look at non-JSON answers.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
