import { PROTOCOL_EXT, type RoomEvent, type UserEvent } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { isType, type Frame } from '../cable/helpers/raw-client.js';
import { startTestServer } from '../helpers/salon-server.js';
import { ChatClient, acceptedDm, createGroup, ok, person, type Person } from './chat-client.js';

/**
 * InboxChannel: one subscription that follows the user's private stream and every room they are
 * in, kept in step as they join and leave; room actions name their room.
 */

const INBOX = '{"channel":"InboxChannel"}';

function inboxPayload(f: Frame): (RoomEvent | UserEvent) | undefined {
  if (f.identifier !== INBOX || f.type !== undefined) return undefined;
  return f.message as RoomEvent | UserEvent;
}

async function inbox(
  client: ChatClient,
  match: (e: RoomEvent | UserEvent, f: Frame) => boolean,
): Promise<RoomEvent | UserEvent> {
  const f = await client.raw.nextFrame((x) => {
    const p = inboxPayload(x);
    return p !== undefined && match(p, x);
  });
  return f.message as RoomEvent | UserEvent;
}

async function connectInbox(
  server: Awaited<ReturnType<typeof startTestServer>>,
  who: Person,
  protocol?: string,
): Promise<ChatClient> {
  const c = await ChatClient.connect(server, who, protocol);
  await c.raw.subscribed(INBOX);
  return c;
}

describe('InboxChannel', () => {
  test('follows every room of its user, and rooms joined and left later', async () => {
    const server = await startTestServer();
    const ann = await person(server, 'Ann');
    const bob = await person(server, 'Bob');
    const before = await createGroup(server, ann, 'Before', [bob.id]);
    const bobInbox = await connectInbox(server, bob, PROTOCOL_EXT);

    // A room that existed when the subscription was made.
    const annClient = await ChatClient.connect(server, ann);
    await annClient.joinRoom(before.id);
    annClient.speak(before.id, 'hello', 'c1');
    const first = await inbox(bobInbox, (e) => e.type === 'message');
    expect(first).toMatchObject({
      type: 'message',
      message: { body: 'hello', room_id: before.id },
    });

    // A room made afterwards: room_added, then its messages, over the same subscription.
    const later = await createGroup(server, ann, 'Later', [bob.id]);
    await inbox(bobInbox, (e) => e.type === 'room_added' && e.room.id === later.id);
    await annClient.joinRoom(later.id);
    annClient.speak(later.id, 'in the new room', 'c2');
    const second = await inbox(
      bobInbox,
      (e) => e.type === 'message' && e.message.room_id === later.id && e.message.kind === 'text',
    );
    expect(second).toMatchObject({ message: { body: 'in the new room' } });
    // The inbox takes no stream positions even on the ext protocol: it serves no history.
    expect(bobInbox.raw.received.filter((f) => f.identifier === INBOX && 'offset' in f)).toEqual(
      [],
    );

    // Removed: nothing more from that room, the subscription itself lives on.
    await ok(
      server,
      'DELETE',
      `/api/rooms/${later.id}/members/${bob.id}`,
      undefined,
      ann.token,
      204,
    );
    await inbox(bobInbox, (e) => e.type === 'room_removed' && e.room_id === later.id);
    annClient.speak(later.id, 'after removal', 'c3');
    annClient.speak(before.id, 'still here', 'c4');
    await inbox(bobInbox, (e) => e.type === 'message' && e.message.client_id === 'c4');
    expect(
      bobInbox.raw.received.some((f) => {
        const p = inboxPayload(f);
        return p?.type === 'message' && p.message.client_id === 'c3';
      }),
    ).toBe(false);
    expect(server.salon.cable.registry.subscriberCount(`room:${later.id}`)).toBe(1);
  });

  test('room actions take the room in their data; a room not followed does not exist', async () => {
    const server = await startTestServer();
    const ann = await person(server, 'Ann');
    const bob = await person(server, 'Bob');
    const eve = await person(server, 'Eve');
    const dm = await acceptedDm(server, ann, bob);
    const eveRoom = await createGroup(server, eve, 'Eve only', []);
    const annInbox = await connectInbox(server, ann, PROTOCOL_EXT);
    const bobInbox = await connectInbox(server, bob);

    annInbox.raw.perform(INBOX, { action: 'speak', room: dm.id, body: 'hi Bob', client_id: 'd1' });
    await inbox(bobInbox, (e) => e.type === 'message' && e.message.body === 'hi Bob');
    annInbox.raw.perform(INBOX, { action: 'typing', room: dm.id });
    await inbox(bobInbox, (e) => e.type === 'typing' && e.user.id === ann.id);
    bobInbox.raw.perform(INBOX, { action: 'read', room: dm.id, seq: 1 });
    await inbox(annInbox, (e) => e.type === 'read' && e.user_id === bob.id);

    for (const data of [
      { action: 'speak', room: eveRoom.id, body: 'sneaky', client_id: 'x1' },
      { action: 'typing', room: eveRoom.id },
      { action: 'typing' },
      { action: 'typing', room: 42 },
    ]) {
      annInbox.raw.perform(INBOX, data);
      const err = await annInbox.raw.nextFrame(
        (f) => inboxPayload(f)?.type === ('error' as string),
      );
      expect(err.message).toMatchObject({ code: 'ROOM_NOT_FOUND' });
    }
    annInbox.raw.send({ command: 'history', identifier: INBOX, history: { since: 1 } });
    await annInbox.raw.nextFrame(isType('reject_history', INBOX));
  });
});
