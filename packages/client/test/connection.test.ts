import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../src/index.js';
import { api, startTestServer } from '../../server/test/helpers/salon-server.js';
import { UnreachableWebSocket, clientFor, person, waitFor } from './helpers/sdk.js';

describe('connection status', () => {
  it('goes connecting → connected over the WebSocket', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const client = clientFor(server, ana);
    const seen: ConnectionStatus[] = [];
    client.onStatus((s) => seen.push(s));
    expect(client.status).toEqual({ state: 'idle', transport: null });

    client.start();
    expect(client.status).toEqual({ state: 'connecting', transport: null });
    await waitFor(() => client.status.state === 'connected');
    expect(client.status).toEqual({ state: 'connected', transport: 'websocket' });
    expect(seen).toEqual([
      { state: 'connecting', transport: null },
      { state: 'connected', transport: 'websocket' },
    ]);

    client.stop();
    expect(client.status).toEqual({ state: 'idle', transport: null });
  });

  it('stops quietly while still connecting (no unhandled rejection)', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const client = clientFor(server, ana, { WebSocket: UnreachableWebSocket });
      client.start();
      client.stop();
      // A second client proves the server still answers after the first one's abandoned attempt;
      // by the time it is connected, a rejection of the first would have surfaced.
      const other = clientFor(server, ana);
      other.start();
      await waitFor(() => other.status.state === 'connected');
      expect(client.status).toEqual({ state: 'idle', transport: null });
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('connects over long polling when told to', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const client = clientFor(server, ana, { transports: ['long_polling'] });
    client.start();
    await waitFor(() => client.status.state === 'connected');
    expect(client.status).toEqual({ state: 'connected', transport: 'long_polling' });
  });

  it('falls back to long polling by itself when the WebSocket cannot connect', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    UnreachableWebSocket.instances = 0;
    const client = clientFor(server, ana, { WebSocket: UnreachableWebSocket });
    const seen: ConnectionStatus[] = [];
    client.onStatus((s) => seen.push(s));
    client.start();
    await waitFor(() => client.status.state === 'connected');
    expect(client.status).toEqual({ state: 'connected', transport: 'long_polling' });
    expect(UnreachableWebSocket.instances).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)).toEqual({ state: 'connected', transport: 'long_polling' });
    expect(seen.some((s) => s.transport === 'websocket')).toBe(false);
    // And it is live over that transport: a DM Ben opens shows up in Ana's list by itself.
    const ben = await person(server, 'Ben');
    const dm = await api(server, 'POST', '/api/dms', { phone: ana.phone }, ben.token);
    expect(dm.status).toBe(201);
    await waitFor(() => client.rooms.some((r) => r.other?.id === ben.user.id));
  });
});
