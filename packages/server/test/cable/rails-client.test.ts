import { adapters, createConsumer, type Consumer, type Subscription } from '@rails/actioncable';
import { describe, expect, onTestFinished, test } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../helpers/wait-for.js';
import { startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  cableUrl,
  createRoom,
  installEchoChannel,
  newUser,
  ticketFor,
} from './helpers/fixtures.js';

/**
 * The unmodified @rails/actioncable client, run in Node as PROTOCOL.md §4 describes. It can
 * only put a credential in the URL, so it authenticates with a connect ticket.
 */

// ConnectionMonitor listens for "visibilitychange" on the global object (a browser's window).
const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
g.addEventListener ??= () => undefined;
g.removeEventListener ??= () => undefined;
// `adapters.WebSocket` was captured at load time, when Node 20 has no global WebSocket.
adapters.WebSocket = WebSocket;

interface Events {
  connected: number;
  rejected: number;
  disconnected: number;
  received: unknown[];
}

function track(
  consumer: Consumer,
  channel: Record<string, unknown>,
): { sub: Subscription; events: Events } {
  const events: Events = { connected: 0, rejected: 0, disconnected: 0, received: [] };
  const sub = consumer.subscriptions.create(channel, {
    connected: () => {
      events.connected++;
    },
    rejected: () => {
      events.rejected++;
    },
    disconnected: () => {
      events.disconnected++;
    },
    received: (data) => void events.received.push(data),
  });
  return { sub, events };
}

/**
 * A Rails consumer whose URL function hands out the ticket prepared for it (the URL is
 * evaluated again at every reconnect). Disconnected when the test ends: its timers would keep
 * the process alive.
 */
async function railsConsumer(
  server: TestServer,
  token: string,
): Promise<{ consumer: Consumer; urlCalls: () => number }> {
  // Tickets are single-use and Rails asks for its URL synchronously on every (re)connect: hand
  // out a ticket fetched in advance, and fetch the next one at once (a Rails-style app would do
  // the same, or use the session cookie in a browser).
  let ticket = await ticketFor(server, token);
  let calls = 0;
  const consumer = createConsumer(() => {
    calls++;
    const url = cableUrl(server, { ticket });
    void ticketFor(server, token).then(
      (next) => (ticket = next),
      () => undefined,
    );
    return url;
  });
  onTestFinished(() => {
    for (const sub of [...consumer.subscriptions.subscriptions]) sub.unsubscribe();
    consumer.disconnect();
  });
  return { consumer, urlCalls: () => calls };
}

describe('@rails/actioncable', () => {
  test('connects, subscribes, receives, is rejected, performs', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const otherRoom = await createRoom(server, [(await newUser(server)).userId]);
    const { consumer } = await railsConsumer(server, user.token);

    const member = track(consumer, { channel: 'RoomChannel', room });
    await waitFor('connected', () => member.events.connected === 1);
    server.salon.cable.broadcast(`room:${room}`, { type: 'note', text: 'hello' });
    await waitFor('the broadcast', () => member.events.received.length === 1);
    expect(member.events.received).toEqual([{ type: 'note', text: 'hello' }]);

    const outsider = track(consumer, { channel: 'RoomChannel', room: otherRoom });
    await waitFor('rejected', () => outsider.events.rejected === 1);
    expect(outsider.events.connected).toBe(0);
    // A rejected subscription is forgotten by the client (no retries left pending).
    expect(consumer.subscriptions.subscriptions).not.toContain(outsider.sub);

    const echo = track(consumer, { channel: 'EchoChannel', stream: 'rails-echo' });
    await waitFor('echo connected', () => echo.events.connected === 1);
    echo.sub.perform('echo', { text: 'performed' });
    await waitFor('the echo', () => echo.events.received.length === 1);
    expect(echo.events.received).toEqual([{ type: 'echo', text: 'performed' }]);
    // An error from the server reaches `received` as data, and the subscription lives on.
    echo.sub.perform('fail', { client_id: 'r1' });
    await waitFor('the error', () => echo.events.received.length === 2);
    expect(echo.events.received[1]).toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
      client_id: 'r1',
    });

    // Exactly one confirmation each: Rails would call `connected` again on a second one.
    expect(member.events.connected).toBe(1);
    expect(echo.events.connected).toBe(1);
    // No frame the Rails client does not know ended up in `received` as undefined.
    expect([...member.events.received, ...echo.events.received]).not.toContain(undefined);
  });

  test('reconnects by itself after a server restart', async () => {
    let server = await startTestServer();
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const { consumer, urlCalls } = await railsConsumer(server, user.token);
    const member = track(consumer, { channel: 'RoomChannel', room });
    await waitFor('connected', () => member.events.connected === 1);
    expect(urlCalls()).toBe(1);

    // The old server tells it server_restart (reconnect: true); the ticket, signed with the
    // persisted secret, still works on the new one.
    server = await server.restart();
    await waitFor('disconnected', () => member.events.disconnected >= 1, 5000);
    // Rails' monitor notices a stale connection only after 6 s and polls every 6-12 s.
    await waitFor('connected again', () => member.events.connected === 2, 25_000, 50);
    expect(urlCalls()).toBeGreaterThanOrEqual(2);

    server.salon.cable.broadcast(`room:${room}`, { type: 'note', text: 'after restart' });
    await waitFor('the broadcast', () => member.events.received.length === 1);
    expect(member.events.received).toEqual([{ type: 'note', text: 'after restart' }]);
  }, 45_000);
});
