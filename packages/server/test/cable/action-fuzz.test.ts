import { ERROR_CODES } from '@salon/protocol';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { MAX_FRAME_BYTES } from '../../src/cable/create-cable.js';
import { ChatClient, person } from '../chat/chat-client.js';
import { createRoom } from './helpers/fixtures.js';
import { dbSnapshot, settled } from '../helpers/db-snapshot.js';
import { junkValue, withRawField, type Junk } from '../helpers/junk.js';
import { api, startTestServer } from '../helpers/salon-server.js';
import { MAY_ACCEPT, type FieldKind } from '../http/route-inputs.js';
import type { Frame } from './helpers/raw-client.js';

/**
 * Every channel action with junk in each of its arguments (the junk of the HTTP property tests,
 * test/helpers/junk.ts): each is answered with an error frame carrying a registered code (never
 * INTERNAL) and writes nothing, or is one of the few a field may take (MAY_ACCEPT); the
 * connection stays up. fuzz.test.ts covers the frames and commands around the actions.
 */

interface ActionSpec {
  action: string;
  valid: Record<string, unknown>;
  fields: Record<string, FieldKind>;
}

/** A subscription the actions run on, and what its actions take besides their own arguments. */
interface ChannelSpec {
  identifier: string;
  extra: Record<string, unknown>;
  extraFields: Record<string, FieldKind>;
}

let sends = 0;

/** RoomChannel's actions (chat/room-chat.ts); InboxChannel takes the same plus `room`. */
function roomActions(messageId: string): ActionSpec[] {
  return [
    {
      action: 'speak',
      // A fresh client id each time: a repeated one is answered with the message first sent.
      get valid() {
        return { body: 'hi', client_id: `a-${String(++sends)}`, reply_to: null };
      },
      fields: { body: 'message_body', client_id: 'client_id', reply_to: 'nullable_id' },
    },
    { action: 'read', valid: { seq: 1 }, fields: { seq: 'count' } },
    {
      action: 'edit',
      valid: { message_id: messageId, body: 'edited' },
      fields: { message_id: 'id', body: 'message_body' },
    },
    { action: 'delete', valid: { message_id: messageId }, fields: { message_id: 'id' } },
    // Typing reads no argument: only the poisoned keys below can be wrong.
    { action: 'typing', valid: {}, fields: {} },
  ];
}

/** Whether a junk value is, after all, of the type the field takes. */
function ofFieldType(kind: FieldKind, json: string): boolean {
  const value: unknown = JSON.parse(json);
  if (kind === 'count') return typeof value === 'number';
  if (kind === 'nullable_id') return value === null || typeof value === 'string';
  return typeof value === 'string';
}

const isError = (identifier: string) => (f: Frame) =>
  f.identifier === identifier && (f.message as { type?: string } | undefined)?.type === 'error';

test('junk in any argument of any room or inbox action: a clear error, nothing written', async () => {
  const server = await startTestServer({
    env: { SALON_CABLE_COMMANDS_PER_SECOND: '100000', SALON_CABLE_COMMAND_BURST: '100000' },
  });
  const ana = await person(server, 'Ana');
  const ben = await person(server, 'Ben');
  // Written straight to the database: no group event for the message job to store first.
  const room = { id: await createRoom(server, [ana.id, ben.id]) };
  const sent = await api(
    server,
    'POST',
    `/api/rooms/${room.id}/messages`,
    { body: 'first', client_id: 'first' },
    ana.token,
  );
  const messageId = (sent.body as { message: { id: string } }).message.id;
  const ws = await ChatClient.connect(server, ana);
  await ws.joinRoom(room.id);
  const roomId = JSON.stringify({ channel: 'RoomChannel', room: room.id });
  const inboxId = JSON.stringify({ channel: 'InboxChannel' });
  await ws.raw.subscribed(inboxId);

  const channels: ChannelSpec[] = [
    { identifier: roomId, extra: {}, extraFields: {} },
    { identifier: inboxId, extra: { room: room.id }, extraFields: { room: 'id' } },
  ];
  const cases: { channel: ChannelSpec; spec: ActionSpec; field: string; kind: FieldKind }[] =
    channels.flatMap((channel) =>
      roomActions(messageId).flatMap((spec) => {
        const fields = { ...spec.fields, ...channel.extraFields };
        // Each field with junk, and each action with a poisoned key beside valid arguments.
        return [
          ...Object.entries(fields).map(([field, kind]) => ({ channel, spec, field, kind })),
          { channel, spec, field: '__proto__', kind: 'id' },
        ];
      }),
    );

  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...cases), junkValue, async (c, junk: Junk) => {
      if (c.field !== '__proto__' && junk.kind === 'wrong_type' && ofFieldType(c.kind, junk.json))
        return;
      const data = withRawField(
        { action: c.spec.action, ...c.spec.valid, ...c.channel.extra },
        c.field,
        c.field === '__proto__' ? '{"admin":true}' : junk.json,
      );
      const what = `${c.spec.action} on ${c.channel.identifier.slice(0, 22)}: ${c.field} = ${junk.kind} ${junk.json.slice(0, 40)}`;
      const frame = JSON.stringify({ command: 'message', identifier: c.channel.identifier, data });
      // Escaped once more inside the frame, 10k-deep JSON can outgrow the frame limit: a close
      // with 1009, which bad-input.test.ts covers.
      if (Buffer.byteLength(frame) > MAX_FRAME_BYTES) return;
      const before = await dbSnapshot(server);
      ws.raw.send(frame);
      // The connection runs commands in order: past the barrier, the action has answered.
      await ws.raw.barrier(10_000);
      const errors = ws.raw.take(isError(c.channel.identifier));
      const accepted = c.field !== '__proto__' && MAY_ACCEPT[c.kind].includes(junk.kind);
      if (errors.length === 0) {
        // A speak is checked against the room (reply_to) by the message job, after the action
        // has returned: refused then, it writes nothing and tells the user stream
        // (message_failed). Anything that did write must be junk the field may take.
        await settled(server);
        if ((await dbSnapshot(server)) !== before) expect(accepted, `${what}: stored`).toBe(true);
        return;
      }
      const error = errors[0]?.message as { code?: string; message?: string };
      expect(ERROR_CODES as readonly (string | undefined)[], what).toContain(error.code);
      expect(error.code, what).not.toBe('INTERNAL');
      expect(error.message?.length ?? 0, what).toBeGreaterThan(0);
      // A refused action may still have found its room gone or its message deleted by an
      // earlier accepted one; what it must not do is write.
      expect((await dbSnapshot(server)).split('\n'), `${what}: nothing written`).toEqual(
        before.split('\n'),
      );
    }),
    { numRuns: 120 },
  );
  expect(ws.raw.isOpen).toBe(true);
  expect((await api(server, 'GET', '/healthz')).status).toBe(200);
  ws.close();
});
