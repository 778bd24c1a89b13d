import type { RoomDetail } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { api, startTestServer, testPhone } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  history,
  openDm,
  person,
  postMessage,
  summaryOf,
} from './chat-client.js';

describe('direct messages', () => {
  it('two people exchange messages both ways in real time; the sender’s copy is its ack', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinUser();

    const dm = await openDm(server, ana, { phone: ben.phone }, 201);
    expect(dm.kind).toBe('direct');
    // They never talked: it is a request, and Ana learns nothing of Ben until he answers.
    expect(dm.other).toMatchObject({
      id: ben.id,
      name: null,
      phone: ben.phone,
      status: 'pending',
      online: false,
      last_seen_at: null,
    });
    expect(dm.members.map((m) => m.id).sort()).toEqual([ana.id, ben.id].sort());
    // Ben hears about the new conversation on his private stream, as a request from Ana.
    const added = await benWs.userEvent('room_added', (e) => e.room.id === dm.id);
    expect(added.room).toMatchObject({
      status: 'request',
      invited_by: { id: ana.id, name: 'Ana' },
      other: { id: ana.id, name: 'Ana', status: 'active' },
    });

    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(dm.id);
    await benWs.joinRoom(dm.id);

    // A payload cannot choose its sender: the connection's user is the sender.
    anaWs.speak(dm.id, 'hi Ben', 'a-1', { sender: { id: ben.id, name: 'Ben' }, sender_id: ben.id });
    const atBen = await benWs.message(dm.id, 'a-1');
    const ack = await anaWs.message(dm.id, 'a-1');
    expect(atBen).toEqual(ack);
    expect(atBen).toMatchObject({
      room_id: dm.id,
      seq: 1,
      sender: { id: ana.id, name: 'Ana' },
      body: 'hi Ben',
      client_id: 'a-1',
      edited_at: null,
      deleted_at: null,
      reply_to: null,
    });
    expect(Date.parse(atBen.created_at)).not.toBeNaN();

    // Replying accepts the request: Ana now sees who Ben is.
    benWs.speak(dm.id, '  hi Ana  ', 'b-1', { reply_to: atBen.id });
    const atAna = await anaWs.message(dm.id, 'b-1');
    const accepted = await anaWs.roomEvent(dm.id, 'member_updated');
    expect(accepted.member).toMatchObject({ id: ben.id, name: 'Ben', status: 'active' });
    expect(atAna).toMatchObject({
      seq: 2,
      sender: { id: ben.id, name: 'Ben' },
      body: 'hi Ana',
      reply_to: atBen.id,
    });
    expect(await benWs.message(dm.id, 'b-1')).toEqual(atAna);

    const stored = await history(server, ben, dm.id);
    expect(stored.map((m) => [m.seq, m.sender.id, m.body])).toEqual([
      [1, ana.id, 'hi Ben'],
      [2, ben.id, 'hi Ana'],
    ]);
    anaWs.close();
    benWs.close();
  });

  it('the pair has one direct room: asking again, either way round, gives the same room (201 then 200)', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const first = await openDm(server, ana, { phone: ben.phone }, 201);
    const again = await openDm(server, ana, { user_id: ben.id }, 200);
    const reverse = await openDm(server, ben, { phone: ana.phone }, 200);
    // The same number written the way people type it.
    const spaced = `${ben.phone.slice(0, 2)} ${ben.phone.slice(2, 5)}-${ben.phone.slice(5, 8)}-${ben.phone.slice(8)}`;
    const typed = await openDm(server, ana, { phone: spaced }, 200);
    expect(new Set([first.id, again.id, reverse.id, typed.id]).size).toBe(1);
    expect(reverse.other?.id).toBe(ana.id);

    // One's own number: a note-to-self room, the same one every time.
    const self = await openDm(server, ana, { phone: ana.phone }, 201);
    expect(self).toMatchObject({ kind: 'direct', note_to_self: true, other: null });
    expect(self.members.map((m) => m.id)).toEqual([ana.id]);
    expect((await openDm(server, ana, { user_id: ana.id }, 200)).id).toBe(self.id);
    await postMessage(server, ana, self.id, 'buy milk', 'note-1');
    expect((await summaryOf(server, ana, self.id))?.last_message?.body).toBe('buy milk');
    expect(first.note_to_self).toBe(false);
    const nobody = await api(server, 'POST', '/api/dms', { user_id: 'no-such-user' }, ana.token);
    expect(nobody.status).toBe(404);
    expect(codeOf(nobody.body)).toBe('USER_NOT_FOUND');
    const both = await api(
      server,
      'POST',
      '/api/dms',
      { phone: ben.phone, user_id: ben.id },
      ana.token,
    );
    expect(both.status).toBe(400);
  });

  it('someone who never signed in finds the conversation, with its unread messages, at first sign-in', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const caraPhone = testPhone();
    const dm = await openDm(server, ana, { phone: caraPhone }, 201);
    expect(dm.other).toMatchObject({ phone: caraPhone, name: null });
    await postMessage(server, ana, dm.id, 'are you there?', 'c1');
    await postMessage(server, ana, dm.id, 'call me', 'c2');

    const cara = await person(server, 'Cara', caraPhone);
    expect(cara.id).toBe(dm.other?.id);
    const summary = await summaryOf(server, cara, dm.id);
    expect(summary).toMatchObject({
      kind: 'direct',
      name: 'Ana',
      unread_count: 2,
      last_seq: 2,
      last_message: { body: 'call me', seq: 2 },
      other: { id: ana.id, name: 'Ana' },
    });
    const again = await openDm(server, cara, { user_id: ana.id }, 200);
    expect(again.id).toBe(dm.id);
    expect((await history(server, cara, dm.id)).map((m) => m.body)).toEqual([
      'are you there?',
      'call me',
    ]);
  });

  it('a direct room takes no extra members, cannot be renamed, and nobody can be removed from it', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const dm: RoomDetail = await openDm(server, ana, { phone: ben.phone });
    const add = await api(
      server,
      'POST',
      `/api/rooms/${dm.id}/members`,
      { members: [cara.id] },
      ana.token,
    );
    expect(add.status).toBe(403);
    const rename = await api(server, 'PATCH', `/api/rooms/${dm.id}`, { name: 'x' }, ana.token);
    expect(rename.status).toBe(403);
    const remove = await api(
      server,
      'DELETE',
      `/api/rooms/${dm.id}/members/${ben.id}`,
      undefined,
      ana.token,
    );
    expect(remove.status).toBe(403);
    const members = await api(server, 'GET', `/api/rooms/${dm.id}/members`, undefined, ben.token);
    expect((members.body as { members: { id: string }[] }).members.map((m) => m.id).sort()).toEqual(
      [ana.id, ben.id].sort(),
    );
  });
});
