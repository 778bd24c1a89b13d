import * as ActionCable from '@rails/actioncable';
import type { MessageView, RoomEvent } from '@salon/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { ticketFor } from '../cable/helpers/fixtures.js';
import { startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { ChatClient, openDm, person } from './chat-client.js';

// @rails/actioncable in Node (PROTOCOL.md §4): its connection monitor listens for
// "visibilitychange" on the global, and its WebSocket adapter was captured at load time.
const g = globalThis as unknown as Record<string, unknown>;
g.addEventListener ??= () => undefined;
g.removeEventListener ??= () => undefined;
ActionCable.adapters.WebSocket = WebSocket;

describe('the real @rails/actioncable client', () => {
  it('exchanges a DM both ways with a raw ws client', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const dm = await openDm(server, ana, { phone: ben.phone });

    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(dm.id);

    const ticket = await ticketFor(server, ana.token);
    const consumer = ActionCable.createConsumer(
      `${server.wsUrl}/cable?ticket=${encodeURIComponent(ticket)}`,
    );
    onTestFinished(() => consumer.disconnect());
    const received: RoomEvent[] = [];
    let connected = false;
    let rejected = false;
    const sub = consumer.subscriptions.create(
      { channel: 'RoomChannel', room: dm.id },
      {
        connected: () => (connected = true),
        rejected: () => (rejected = true),
        received: (data) => received.push(data as RoomEvent),
      },
    );
    await waitFor('the Rails client to be subscribed', () => connected || rejected);
    expect(rejected).toBe(false);

    const messageWith = (clientId: string) => () =>
      received.find(
        (e): e is Extract<RoomEvent, { type: 'message' }> =>
          e.type === 'message' && e.message.client_id === clientId,
      )?.message;

    // Ana (Rails client) → Ben (raw ws); her own copy is her ack.
    expect(sub.perform('speak', { body: 'hello from Rails', client_id: 'rails-1' })).toBe(true);
    const atBen = await benWs.message(dm.id, 'rails-1');
    expect(atBen).toMatchObject({
      seq: 1,
      sender: { id: ana.id, name: 'Ana' },
      body: 'hello from Rails',
    });
    const ack: MessageView = await waitFor('Ana’s ack', messageWith('rails-1'));
    expect(ack).toEqual(atBen);

    // Ben → Ana.
    benWs.speak(dm.id, 'hello back', 'ws-1');
    const atAna = await waitFor('Ben’s reply at Ana', messageWith('ws-1'));
    expect(atAna).toMatchObject({ seq: 2, sender: { id: ben.id }, body: 'hello back' });

    // Typing and read receipts reach the Rails client too.
    sub.perform('read', { seq: 2 });
    const read = await benWs.roomEvent(dm.id, 'read', (e) => e.user_id === ana.id);
    expect(read).toEqual({ type: 'read', room_id: dm.id, user_id: ana.id, seq: 2 });

    sub.unsubscribe();
    consumer.disconnect();
    benWs.close();
  });

  it('is refused a room it is not in (rejected callback)', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const eve = await person(server, 'Eve');
    const dm = await openDm(server, ana, { phone: ben.phone });
    const consumer = ActionCable.createConsumer(
      `${server.wsUrl}/cable?ticket=${encodeURIComponent(await ticketFor(server, eve.token))}`,
    );
    onTestFinished(() => consumer.disconnect());
    let state: 'pending' | 'connected' | 'rejected' = 'pending';
    consumer.subscriptions.create(
      { channel: 'RoomChannel', room: dm.id },
      { connected: () => (state = 'connected'), rejected: () => (state = 'rejected') },
    );
    await waitFor('an answer to the subscription', () => state !== 'pending');
    expect(state).toBe('rejected');
    consumer.disconnect();
  });
});
