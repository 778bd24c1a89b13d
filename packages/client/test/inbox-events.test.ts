import { describe, expect, it, vi } from 'vitest';
import { startTestServer } from '../../server/test/helpers/salon-server.js';
import { InjectingWebSocket, connected, person, waitFor } from './helpers/sdk.js';

const INBOX = JSON.stringify({ channel: 'InboxChannel' });

describe('inbox events of the wrong shape', () => {
  it('are dropped before they reach the client state; well-formed ones still apply', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const watched = await connected(server, ana, { WebSocket: InjectingWebSocket });
    const other = await connected(server, ana);
    const socket = InjectingWebSocket.last!;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const group = await other.createGroup('Book club', []);
    await waitFor(() => watched.rooms.some((r) => r.id === group.id));
    const names: unknown[] = [];
    watched.onRooms(() => names.push(...watched.rooms.map((r) => r.name)));

    const malformed = [
      // A name that is not a string would be shown as one.
      { type: 'room_renamed', room_id: group.id, name: 42 },
      // Missing or mistyped parts would throw inside the connection's handlers.
      { type: 'message' },
      { type: 'message', message: { room_id: group.id, seq: 'one' } },
      { type: 'presence', room_id: group.id, users: 'everyone' },
      // A half room would be listed, and break the list's order.
      { type: 'room_added', room: { id: 'half-a-room', name: 'Half' } },
      { type: 'read', room_id: group.id, user_id: ana.user.id, seq: -1 },
      { type: 'no_such_event', room_id: group.id },
      'not an object',
    ];
    for (const message of malformed) socket.deliver({ identifier: INBOX, message });
    // The same path carries a well-formed event through: the injection reaches the client.
    socket.deliver({
      identifier: INBOX,
      message: { type: 'room_renamed', room_id: group.id, name: 'Injected' },
    });
    await waitFor(() => watched.rooms.find((r) => r.id === group.id)?.name === 'Injected');

    // And the real feed goes on.
    await other.rename(group.id, 'Poetry club');
    await waitFor(() => watched.rooms.find((r) => r.id === group.id)?.name === 'Poetry club');

    expect(watched.rooms.map((r) => r.id)).toEqual([group.id]);
    expect(names.every((name) => typeof name === 'string')).toBe(true);
    expect(watched.status.state).toBe('connected');
    expect(warn).toHaveBeenCalledTimes(malformed.length);
    warn.mockRestore();
  });
});
