import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { SalonClient } from '../../src/index.js';
import type { SalonClientOptions } from '../../src/index.js';
import {
  signIn,
  type SignedIn,
  type TestServer,
} from '../../../server/test/helpers/salon-server.js';
import { waitFor as waitUntil } from '../../../server/test/helpers/wait-for.js';

/**
 * Polls `check` every 20 ms until it returns something other than undefined/false, or throws once
 * `timeoutMs` has passed (the server tests' waitFor, with the SDK tests' argument order).
 */
export function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what: string = check.toString(),
): Promise<T> {
  return waitUntil(what, check, timeoutMs, 20);
}

/** A client for `who` on `server` (token auth, `ws` in Node), stopped when the test finishes. */
export function clientFor(
  server: TestServer,
  who: SignedIn | undefined,
  opts: Partial<SalonClientOptions> = {},
): SalonClient {
  const client = new SalonClient({
    baseUrl: server.url,
    ...(who ? { token: who.token } : {}),
    WebSocket,
    ...opts,
  });
  onTestFinished(() => client.stop());
  return client;
}

/** Signs in, starts a client, and waits for it to be connected with its `me` and rooms loaded. */
export async function connected(
  server: TestServer,
  who: SignedIn,
  opts: Partial<SalonClientOptions> = {},
): Promise<SalonClient> {
  const client = clientFor(server, who, opts);
  await client.loadMe();
  client.start();
  await waitFor(() => client.status.state === 'connected', 5000, `${who.phone} connected`);
  return client;
}

/** Signs a named person in. */
export function person(server: TestServer, name: string): Promise<SignedIn> {
  return signIn(server, undefined, name);
}

/**
 * A WebSocket that can never connect: like a proxy that drops upgrades, it reports an error and
 * a close right after construction.
 */
export class UnreachableWebSocket {
  static instances = 0;
  binaryType = 'blob';
  readyState = 0;
  onerror: ((ev: { error: Error }) => void) | undefined;
  onclose: ((ev: { code: number }) => void) | undefined;
  onopen: (() => void) | undefined;
  onmessage: ((ev: { data: unknown }) => void) | undefined;

  constructor(_url: string, _protocols?: string | string[]) {
    UnreachableWebSocket.instances++;
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.({ error: new Error('connection refused') });
      this.onclose?.({ code: 1006 });
    }, 0);
  }

  send(): void {
    throw new Error('not open');
  }

  close(): void {
    this.readyState = 3;
  }
}

/** What people wrote in a conversation, without its group events ("Ana added Ben"). */
export function texts<M extends { kind: string }>(conv: { messages: readonly M[] }): M[] {
  return conv.messages.filter((m) => m.kind === 'text');
}

/** Seqs of the stored messages, and true when they strictly increase (no repeats). */
export function storedSeqs(messages: readonly { seq: number; status: string }[]): number[] {
  return messages.filter((m) => m.status === 'sent').map((m) => m.seq);
}

export function strictlyIncreasing(seqs: readonly number[]): boolean {
  return seqs.every((s, i) => i === 0 || s > (seqs[i - 1] ?? Infinity));
}

/** Ana, Ben and Cleo, signed in. */
export async function threePeople(server: TestServer): Promise<[SignedIn, SignedIn, SignedIn]> {
  return Promise.all([person(server, 'Ana'), person(server, 'Ben'), person(server, 'Cleo')]);
}

/** Ana, Ben and Cleo, signed in, each with a connected client. */
export async function threeConnected(server: TestServer) {
  const [ana, ben, cleo] = await threePeople(server);
  const anaC = await connected(server, ana);
  const benC = await connected(server, ben);
  const cleoC = await connected(server, cleo);
  return { ana, ben, cleo, anaC, benC, cleoC };
}

/**
 * A real `ws` WebSocket through which a test can hand the client frames the server never sent,
 * as if they had arrived on the wire (`ws` turns them into the same message events).
 */
export class InjectingWebSocket extends WebSocket {
  static last: InjectingWebSocket | undefined;

  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    InjectingWebSocket.last = this;
  }

  /** Delivers `frame` to the client as a text frame from the server. */
  deliver(frame: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(frame)), false);
  }
}
