import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BaseLogger, type LogLevel, type Transport } from '@anycable/core';
import { createCable, type Cable } from '@anycable/web';
import { PROTOCOL_EXT } from '@salon/protocol';
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

/** The unmodified @anycable/web client in Node, over both protocols, with a connect ticket. */

interface Received {
  msg: unknown;
  meta: { stream?: string; epoch?: string; offset?: number } | undefined;
}

/** Keeps the client's warnings and errors for the test to read instead of printing them. */
class KeptLogger extends BaseLogger {
  readonly entries: string[] = [];
  protected override writeLogEntry(level: LogLevel, message: string): void {
    this.entries.push(`${level}: ${message}`);
  }
}

function anyCable(
  server: TestServer,
  token: string,
  protocol?: string,
): { cable: Cable; log: KeptLogger } {
  const log = new KeptLogger('warn');
  const cable = createCable(cableUrl(server), {
    websocketImplementation: WebSocket,
    ...(protocol !== undefined ? { protocol: protocol as 'actioncable-v1-ext-json' } : {}),
    // Tickets are single-use: a fresh one before every (re)connect, as Salon's SDK does.
    transportConfigurator: async (transport: Transport) => {
      transport.setToken(await ticketFor(server, token), 'ticket');
    },
    logger: log,
  });
  onTestFinished(() => cable.disconnect());
  return { cable, log };
}

/** What the client logs when the server's frames do not match what it sent or expects. */
const PROTOCOL_COMPLAINTS = /not found|unknown message|unexpected|mismatch|timeout/i;

describe('@anycable/web', () => {
  test('v1-json: subscribe, receive, perform, rejection', async () => {
    const server = await startTestServer();
    installEchoChannel(server);
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const { cable, log } = anyCable(server, user.token);

    const channel = cable.subscribeTo('RoomChannel', { room });
    const received: unknown[] = [];
    channel.on('message', (msg) => void received.push(msg));
    await channel.ensureSubscribed();
    server.salon.cable.broadcast(`room:${room}`, { type: 'note', n: 1 });
    await waitFor('the broadcast', () => received.length === 1);
    expect(received).toEqual([{ type: 'note', n: 1 }]);

    const echo = cable.subscribeTo('EchoChannel', { stream: 'any-echo' });
    const echoed: unknown[] = [];
    echo.on('message', (msg) => void echoed.push(msg));
    await echo.perform('echo', { text: 'from anycable' });
    await waitFor('the echo', () => echoed.length === 1);
    expect(echoed).toEqual([{ type: 'echo', text: 'from anycable' }]);

    const stranger = await createRoom(server, [(await newUser(server)).userId]);
    const rejected = cable.subscribeTo('RoomChannel', { room: stranger });
    await expect(rejected.ensureSubscribed()).rejects.toThrow(/rejected/i);
    expect(log.entries.filter((e) => PROTOCOL_COMPLAINTS.test(e))).toEqual([]);
    expect(log.entries.filter((e) => e.startsWith('error'))).toEqual([
      'error: failed to subscribe',
    ]);
  });

  test('ext-json: a dropped socket is restored and the missed broadcasts recovered, none lost or doubled', async () => {
    const server = await startTestServer();
    const user = await newUser(server);
    const room = await createRoom(server, [user.userId]);
    const stream = `room:${room}`;
    // The server's sockets after upgrade, so the test can cut them like a network failure would.
    const upgraded: Duplex[] = [];
    server.salon.http.server.on('upgrade', (_req, socket: Socket) => void upgraded.push(socket));

    const { cable, log } = anyCable(server, user.token, PROTOCOL_EXT);
    const connects: { restored?: boolean; reconnect?: boolean }[] = [];
    cable.on('connect', (ev) => void connects.push(ev));
    const channel = cable.subscribeTo('RoomChannel', { room });
    const received: Received[] = [];
    channel.on(
      'message',
      (msg, meta) => void received.push({ msg, meta: meta as Received['meta'] }),
    );
    await channel.ensureSubscribed();

    let n = 0;
    const publish = (count: number): void => {
      for (let i = 0; i < count; i++)
        server.salon.cable.broadcast(stream, { type: 'note', n: ++n }, { durable: true });
    };
    publish(3);
    await waitFor('the first three', () => received.length === 3);
    const epoch = received[0]!.meta!.epoch!;
    expect(received.map((r) => r.meta)).toEqual(
      [1, 2, 3].map((offset) => ({ stream, epoch, offset })),
    );

    // Cut the connection; broadcasts keep coming: some written to the dead socket, some after
    // the server has noticed.
    expect(upgraded).toHaveLength(1);
    upgraded[0]!.destroy();
    publish(2);
    await waitFor(
      'the server to notice',
      () => server.salon.cable.registry.stats().connections === 0,
    );
    publish(3);

    // AnyCable's client reconnects after 1.5-9 s (its default backoff) with ?sid=.
    await waitFor('the missed broadcasts', () => received.length >= 8, 15_000, 50);
    expect(connects.at(-1)).toMatchObject({ reconnect: true, restored: true });
    publish(2);
    await waitFor('the live ones after', () => received.length >= 10);
    // A barrier of sorts: one more, so any stray duplicate would have arrived before it.
    publish(1);
    await waitFor('the last', () => received.some((r) => (r.msg as { n: number }).n === 11));
    expect(received.map((r) => (r.msg as { n: number }).n)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(received.map((r) => r.meta?.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(received.every((r) => r.meta?.epoch === epoch && r.meta.stream === stream)).toBe(true);
    expect(log.entries.filter((e) => PROTOCOL_COMPLAINTS.test(e))).toEqual([]);
  }, 30_000);
});
