import type { MessageView } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { api, startTestServer } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  acceptedDm,
  createGroup,
  history,
  ok,
  person,
  postMessage,
  summaryOf,
} from './chat-client.js';

describe('edits and deletes', () => {
  it('the sender edits (HTTP and cable); everyone in the room hears message_edited', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await acceptedDm(server, ana, ben);
    const anaWs = await ChatClient.connect(server, ana);
    const benWs = await ChatClient.connect(server, ben);
    await anaWs.joinRoom(room.id);
    await benWs.joinRoom(room.id);
    const msg = await postMessage(server, ana, room.id, 'helo', 'e1');

    const edited = await ok<{ message: MessageView }>(
      server,
      'PATCH',
      `/api/rooms/${room.id}/messages/${msg.id}`,
      { body: ' hello ' },
      ana.token,
    );
    expect(edited.message).toMatchObject({
      id: msg.id,
      seq: 1,
      body: 'hello',
      client_id: 'e1',
      deleted_at: null,
    });
    expect(edited.message.edited_at).not.toBeNull();
    const heard = await benWs.roomEvent(room.id, 'message_edited');
    expect(heard.message).toEqual(edited.message);

    anaWs.perform(room.id, 'edit', { message_id: msg.id, body: 'hello, Ben' });
    const viaWs = await benWs.roomEvent(
      room.id,
      'message_edited',
      (e) => e.message.body === 'hello, Ben',
    );
    expect(viaWs.message).toMatchObject({ id: msg.id, seq: 1 });
    expect((await history(server, ben, room.id)).map((m) => [m.seq, m.body])).toEqual([
      [1, 'hello, Ben'],
    ]);
    // Editing is no new activity: seq and unread stay as they were.
    expect(await summaryOf(server, ben, room.id)).toMatchObject({ last_seq: 1, unread_count: 1 });
    anaWs.close();
    benWs.close();
  });

  it('a member who is not the sender can neither edit nor delete; an admin can delete', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana'); // owner
    const ben = await person(server, 'Ben');
    const cara = await person(server, 'Cara');
    const room = await createGroup(server, ana, 'Mods', [ben.id, cara.id]);
    const bens = await postMessage(server, ben, room.id, 'Ben’s words', 'b1');
    const anas = await postMessage(server, ana, room.id, 'Ana’s words', 'a1');
    const caraWs = await ChatClient.connect(server, cara);
    await caraWs.joinRoom(room.id);

    for (const [method, body] of [
      ['PATCH', { body: 'Cara was here' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(
        server,
        method,
        `/api/rooms/${room.id}/messages/${bens.id}`,
        body,
        cara.token,
      );
      expect(res.status, method).toBe(403);
      expect(codeOf(res.body)).toBe('FORBIDDEN');
    }
    caraWs.perform(room.id, 'edit', { message_id: bens.id, body: 'Cara was here' });
    expect(await caraWs.roomEvent(room.id, 'error')).toMatchObject({
      code: 'FORBIDDEN',
      action: 'edit',
    });
    caraWs.perform(room.id, 'delete', { message_id: bens.id });
    expect(await caraWs.roomEvent(room.id, 'error')).toMatchObject({
      code: 'FORBIDDEN',
      action: 'delete',
    });
    // Not even the owner edits someone else's words.
    const ownerEdit = await api(
      server,
      'PATCH',
      `/api/rooms/${room.id}/messages/${bens.id}`,
      { body: 'x' },
      ana.token,
    );
    expect(ownerEdit.status).toBe(403);
    // Ben cannot delete Ana's message either.
    const benDel = await api(
      server,
      'DELETE',
      `/api/rooms/${room.id}/messages/${anas.id}`,
      undefined,
      ben.token,
    );
    expect(benDel.status).toBe(403);
    expect((await history(server, cara, room.id)).map((m) => m.body)).toEqual([
      'Ben’s words',
      'Ana’s words',
    ]);

    // The owner (an admin) deletes Ben's message: it keeps its seq and loses its body.
    const del = await ok<{ message: MessageView }>(
      server,
      'DELETE',
      `/api/rooms/${room.id}/messages/${bens.id}`,
      undefined,
      ana.token,
    );
    // Seq 2: the group's "created" event is seq 1.
    expect(del.message).toMatchObject({ id: bens.id, seq: 2, body: null, sender: { id: ben.id } });
    expect(del.message.deleted_at).not.toBeNull();
    const heard = await caraWs.roomEvent(room.id, 'message_deleted');
    expect(heard.message).toEqual(del.message);
    caraWs.close();
  });

  it('the sender deletes: seq kept, body gone everywhere, no more edits, deleting again is harmless', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await acceptedDm(server, ana, ben);
    await postMessage(server, ben, room.id, 'one', 'm1');
    const oops = await postMessage(server, ben, room.id, 'secret password', 'm2');
    await postMessage(server, ben, room.id, 'three', 'm3');
    expect((await summaryOf(server, ana, room.id))?.unread_count).toBe(3);
    const benWs = await ChatClient.connect(server, ben);
    await benWs.joinRoom(room.id);

    benWs.perform(room.id, 'delete', { message_id: oops.id });
    const gone = await benWs.roomEvent(room.id, 'message_deleted');
    expect(gone.message).toMatchObject({ id: oops.id, seq: 2, body: null, client_id: 'm2' });

    const msgs = await history(server, ana, room.id);
    expect(msgs.map((m) => [m.seq, m.body])).toEqual([
      [1, 'one'],
      [2, null],
      [3, 'three'],
    ]);
    expect(JSON.stringify(msgs)).not.toContain('secret password');
    // A deleted message does not count as unread.
    expect((await summaryOf(server, ana, room.id))?.unread_count).toBe(2);

    const edit = await api(
      server,
      'PATCH',
      `/api/rooms/${room.id}/messages/${oops.id}`,
      { body: 'back' },
      ben.token,
    );
    expect(edit.status).toBe(409);
    expect(codeOf(edit.body)).toBe('MESSAGE_DELETED');
    const again = await ok<{ message: MessageView }>(
      server,
      'DELETE',
      `/api/rooms/${room.id}/messages/${oops.id}`,
      undefined,
      ben.token,
    );
    expect(again.message).toEqual(gone.message);
    // A repeat of its client_id does not bring it back.
    expect((await postMessage(server, ben, room.id, 'secret password', 'm2', 200)).body).toBeNull();
    // Deleting the last message keeps the list's last_message, without a body.
    const last = (await history(server, ana, room.id))[2]!;
    await ok(server, 'DELETE', `/api/rooms/${room.id}/messages/${last.id}`, undefined, ben.token);
    expect(await summaryOf(server, ana, room.id)).toMatchObject({
      last_seq: 3,
      last_message: { seq: 3, body: null },
    });
    benWs.close();
  });
});
