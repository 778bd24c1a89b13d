import { describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import {
  ChatClient,
  codeOf,
  createGroup,
  history,
  person,
  roomsOf,
  timeline,
  type Person,
} from './chat-client.js';

const BAD_BODIES: [string, unknown][] = [
  ['empty', ''],
  ['whitespace only', ' \n\t\u00a0 '],
  ['too long', 'x'.repeat(4001)],
  ['huge', 'y'.repeat(200_000)],
  ['a number', 42],
  ['null', null],
  ['an object', { text: 'hi' }],
  ['an array', ['hi']],
  // PostgreSQL cannot store it: refused on every database alike.
  ['with a NUL character', 'hi\u0000there'],
];

const BAD_CLIENT_IDS: [string, unknown][] = [
  ['missing', undefined],
  ['empty', ''],
  ['spaces', 'has space'],
  ['too long', 'c'.repeat(65)],
  ['a number', 7],
  ['unicode', 'ид'],
];

/** No message stored: the history has none, and `last_seq` is what it was (a new group's
 * "created" event, seq 1, aside). */
async function expectNothingStored(server: TestServer, who: Person, roomId: string) {
  expect(await history(server, who, roomId)).toEqual([]);
  const events = (await timeline(server, who, roomId)).length;
  expect((await roomsOf(server, who)).find((r) => r.id === roomId)?.last_seq).toBe(events);
}

describe('bad input gives a clear 4xx and stores nothing', () => {
  it('over HTTP', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Strict', []);
    const path = `/api/rooms/${room.id}/messages`;

    for (const [what, body] of BAD_BODIES) {
      const res = await api(server, 'POST', path, { body, client_id: 'ok-id' }, ana.token);
      expect([400, 413], `body ${what}`).toContain(res.status);
      expect(codeOf(res.body), `body ${what}`).toMatch(/^(VALIDATION_FAILED|BODY_TOO_LARGE)$/);
    }
    for (const [what, client_id] of BAD_CLIENT_IDS) {
      const res = await api(server, 'POST', path, { body: 'hi', client_id }, ana.token);
      expect(res.status, `client_id ${what}`).toBe(400);
      expect(codeOf(res.body)).toBe('VALIDATION_FAILED');
    }
    const extra = await api(
      server,
      'POST',
      path,
      { body: 'hi', client_id: 'x1', sender_id: 'someone' },
      ana.token,
    );
    expect(extra.status).toBe(400);
    const notJson = await api(server, 'POST', path, '{"body": "hi", ', ana.token);
    expect(notJson.status).toBe(400);
    expect(codeOf(notJson.body)).toBe('INVALID_JSON');
    const array = await api(server, 'POST', path, '[1,2]', ana.token);
    expect(array.status).toBe(400);
    const text = await api(server, 'POST', path, 'hi', ana.token, { 'content-type': 'text/plain' });
    // Fastify reads text/plain as a string, which is then not an object.
    expect([400, 415]).toContain(text.status);
    const badReply = await api(
      server,
      'POST',
      path,
      { body: 'hi', client_id: 'r1', reply_to: 5 },
      ana.token,
    );
    expect(badReply.status).toBe(400);
    // Exactly 4,000 characters is fine (and counted as people see them: an emoji is one).
    const max = await api(
      server,
      'POST',
      path,
      { body: '😀'.repeat(4000), client_id: 'max' },
      ana.token,
    );
    expect(max.status).toBe(201);
    const maxStored = (await history(server, ana, room.id))[0];
    expect(maxStored?.body).toBe('😀'.repeat(4000));

    // Bad room and group bodies.
    for (const body of [
      {},
      { name: '' },
      { name: 'x', members: 'all' },
      { name: 'x', members: [5] },
      { name: 'x', extra: 1 },
      { name: 'nul\u0000name' },
    ]) {
      const res = await api(server, 'POST', '/api/rooms', body, ana.token);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    for (const body of [
      {},
      { phone: '' },
      { phone: 'not a phone' },
      { phone: 123 },
      { user_id: '' },
    ]) {
      const res = await api(server, 'POST', '/api/dms', body, ana.token);
      expect([400, 404], JSON.stringify(body)).toContain(res.status);
    }
    expect((await roomsOf(server, ana)).map((r) => r.id)).toEqual([room.id]);
    for (const body of [{}, { members: [] }, { members: [''] }, { members: 'x' }]) {
      const res = await api(server, 'POST', `/api/rooms/${room.id}/members`, body, ana.token);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    // Edits follow the same rules as new messages.
    const msgId = maxStored!.id;
    for (const [what, body] of BAD_BODIES) {
      const res = await api(server, 'PATCH', `${path}/${msgId}`, { body }, ana.token);
      expect([400, 413], `edit ${what}`).toContain(res.status);
    }
    expect((await history(server, ana, room.id)).map((m) => m.edited_at)).toEqual([null]);
  });

  it('over the cable: an error frame naming the action and client_id; nothing stored or broadcast', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const room = await createGroup(server, ana, 'Strict', [ben.id]);
    const anaWs = await ChatClient.connect(server, ana);
    const benWs = await ChatClient.connect(server, ben);
    await anaWs.joinRoom(room.id);
    await benWs.joinRoom(room.id);

    for (const [what, body] of BAD_BODIES.filter(([w]) => w !== 'huge')) {
      anaWs.speak(room.id, body as string, `bad-${what.replace(/ /g, '-')}`);
      const err = await anaWs.roomEvent(room.id, 'error');
      expect(err, what).toMatchObject({
        type: 'error',
        code: 'VALIDATION_FAILED',
        action: 'speak',
        client_id: `bad-${what.replace(/ /g, '-')}`,
      });
      expect(err.message.length, what).toBeGreaterThan(0);
    }
    for (const [what, clientId] of BAD_CLIENT_IDS) {
      anaWs.perform(room.id, 'speak', { body: 'hi', client_id: clientId });
      const err = await anaWs.roomEvent(room.id, 'error');
      expect(err, `client_id ${what}`).toMatchObject({
        code: 'VALIDATION_FAILED',
        action: 'speak',
      });
    }
    anaWs.perform(room.id, 'edit', { message_id: 'x' });
    expect(await anaWs.roomEvent(room.id, 'error')).toMatchObject({
      code: 'VALIDATION_FAILED',
      action: 'edit',
    });
    anaWs.perform(room.id, 'delete', {});
    expect(await anaWs.roomEvent(room.id, 'error')).toMatchObject({
      code: 'VALIDATION_FAILED',
      action: 'delete',
    });
    anaWs.perform(room.id, 'shout', { body: 'hi' });
    expect((await anaWs.roomEvent(room.id, 'error')).code).toBeDefined();

    // Ben saw none of it: the next good message is the first chat event on his subscription
    // (presence events, which come and go with connections, aside).
    anaWs.speak(room.id, 'finally', 'good-1');
    await benWs.message(room.id, 'good-1');
    expect(
      benWs.raw.received.filter(
        (f) =>
          f.type === undefined &&
          f.identifier !== undefined &&
          (f.message as { type?: string } | undefined)?.type !== 'presence',
      ),
    ).toHaveLength(1);
    // Seq 2: the group's "created" event is seq 1.
    expect((await history(server, ben, room.id)).map((m) => [m.seq, m.body])).toEqual([
      [2, 'finally'],
    ]);
    anaWs.close();
    benWs.close();
  });

  it('a huge frame over the cable is refused without storing anything', async () => {
    const server = await startTestServer();
    const ana = await person(server, 'Ana');
    const room = await createGroup(server, ana, 'Huge', []);
    const anaWs = await ChatClient.connect(server, ana);
    await anaWs.joinRoom(room.id);
    anaWs.speak(room.id, 'z'.repeat(5_000_000), 'huge-1');
    // Either an error frame or the connection closed for an oversized frame: both are refusals.
    const answer = await Promise.race([
      anaWs.roomEvent(room.id, 'error').then((e) => e.code),
      anaWs.raw.waitClosed(5000).then((c) => `closed ${String(c.code)}`),
    ]);
    expect(answer).toMatch(/VALIDATION_FAILED|closed 1009|closed 4\d\d\d/);
    await expectNothingStored(server, ana, room.id);
    anaWs.close();
  });
});
