import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import {
  ChatClient,
  acceptedDm,
  createGroup,
  history,
  openDm,
  person,
  postMessage,
} from './chat-client.js';

describe('a repeated client_id stores nothing', () => {
  it('over the cable: no second broadcast; the sender’s UserChannel gets message_ack with the first', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await acceptedDm(server, ana, ben);
    const anaWs = await ChatClient.connect(server, ana);
    const benWs = await ChatClient.connect(server, ben);
    await anaWs.joinRoom(room.id);
    await anaWs.joinUser();
    await benWs.joinRoom(room.id);

    anaWs.speak(room.id, 'first try', 'retry-1');
    const first = await anaWs.message(room.id, 'retry-1');
    await benWs.message(room.id, 'retry-1');
    // The retry (even with another body) is the same message.
    anaWs.speak(room.id, 'second try', 'retry-1');
    const ack = await anaWs.userEvent('message_ack', (e) => e.message.client_id === 'retry-1');
    expect(ack.message).toEqual(first);
    expect(ack.message.body).toBe('first try');

    // A different message afterwards gets seq 2: the retry used no seq.
    anaWs.speak(room.id, 'next', 'retry-2');
    expect((await benWs.message(room.id, 'retry-2')).seq).toBe(2);
    // Ben saw exactly two messages: the frames before retry-2 have all been taken or are queued.
    expect(benWs.takeRoom(room.id).filter((e) => e.type === 'message')).toEqual([]);
    expect((await history(server, ben, room.id)).map((m) => [m.seq, m.client_id])).toEqual([
      [1, 'retry-1'],
      [2, 'retry-2'],
    ]);
    anaWs.close();
    benWs.close();
  });

  it('a burst of the same client_id (one batch) stores one message', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Burst', []);
    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(room.id);
    await anaWs.joinUser();
    for (let i = 0; i < 5; i++) anaWs.speak(room.id, `try ${String(i)}`, 'same');
    const stored = await anaWs.message(room.id, 'same');
    for (let i = 0; i < 4; i++) {
      const ack = await anaWs.userEvent('message_ack');
      expect(ack.message).toEqual(stored);
    }
    expect((await history(server, ana, room.id)).map((m) => m.body)).toEqual(['try 0']);
    anaWs.close();
  });

  it('over HTTP: 201 then 200 with the same message; the cable and HTTP share one namespace', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    // Direct rooms: no group events, so the first message is seq 1.
    const room = await acceptedDm(server, ana, ben);
    const other = await openDm(server, ana, { phone: ana.phone });
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);

    const created = await postMessage(server, ana, room.id, 'hello', 'h-1', 201);
    expect(await benWs.message(room.id, 'h-1')).toEqual(created);
    const repeated = await postMessage(server, ana, room.id, 'hello again', 'h-1', 200);
    expect(repeated).toEqual(created);

    // Sent over the cable first, retried over HTTP: the HTTP retry finds it.
    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(room.id);
    anaWs.speak(room.id, 'from the socket', 'ws-then-http');
    const viaWs = await anaWs.message(room.id, 'ws-then-http');
    expect(await postMessage(server, ana, room.id, 'from HTTP', 'ws-then-http', 200)).toEqual(
      viaWs,
    );

    // The id belongs to one sender in one room: Ben's h-1, and Ana's h-1 elsewhere, are new.
    const bens = await postMessage(server, ben, room.id, 'mine', 'h-1', 201);
    expect(bens.id).not.toBe(created.id);
    const elsewhere = await postMessage(server, ana, other.id, 'there', 'h-1', 201);
    expect(elsewhere.seq).toBe(1);

    expect((await history(server, ana, room.id)).map((m) => [m.seq, m.sender.id, m.body])).toEqual([
      [1, ana.id, 'hello'],
      [2, ana.id, 'from the socket'],
      [3, ben.id, 'mine'],
    ]);
    anaWs.close();
    benWs.close();
  });
});
