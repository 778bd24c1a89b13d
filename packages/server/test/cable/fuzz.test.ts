import fc from 'fast-check';
import { PROTOCOL_EXT, PROTOCOL_V1 } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { junkValue, withRawField } from '../helpers/junk.js';
import { waitFor } from '../helpers/wait-for.js';
import { api, startTestServer, type TestServer } from '../helpers/salon-server.js';
import { MAX_FRAME_BYTES } from '../../src/cable/create-cable.js';
import {
  EMPTY_REGISTRY,
  connectRaw,
  echoIdentifier,
  createRoom,
  installEchoChannel,
  newUser,
  roomIdentifier,
  type Member,
} from './helpers/fixtures.js';

/**
 * Property tests against a live server: whatever a client throws at it, the server keeps
 * answering — the connection that received the junk still confirms a valid subscribe, /healthz
 * answers, and nothing is left behind.
 */

const CHANNELS = ['RoomChannel', 'UserChannel', 'EchoChannel', 'TestBarrier', ''];
const COMMANDS = [
  'subscribe',
  'unsubscribe',
  'message',
  'history',
  'pong',
  'whisper',
  'join',
  'leave',
  'presence',
];

/** Identifiers: random strings, random JSON, and JSON objects that name real channels. */
const identifier = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.json(),
  fc
    .record(
      {
        channel: fc.oneof(fc.constantFrom(...CHANNELS), fc.string()),
        room: fc.oneof(fc.uuid(), fc.string()),
        stream: fc.string({ maxLength: 8 }),
      },
      { requiredKeys: ['channel'] },
    )
    .chain((o) =>
      fc.tuple(
        fc.constant(o),
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      ),
    )
    .map(([o, extra]) => JSON.stringify({ ...extra, ...o })),
);

/** `data` of a message command: strings, JSON text, action-shaped objects, or not a string at all. */
const data = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        action: fc.oneof(
          fc.constantFrom('echo', 'whoami', 'fail', 'speak', 'constructor', '__proto__'),
          fc.string(),
        ),
        text: fc.string(),
        client_id: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 2 }),
);

const history = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      since: fc.oneof(fc.integer(), fc.double(), fc.string()),
      streams: fc.dictionary(
        fc.string({ maxLength: 10 }),
        fc.record({ epoch: fc.string(), offset: fc.oneof(fc.integer(), fc.double()) }),
        { maxKeys: 3 },
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Objects shaped like commands, with random fields mixed in. */
const commandLike = fc
  .tuple(
    fc.record(
      {
        command: fc.oneof(fc.constantFrom(...COMMANDS), fc.string(), fc.jsonValue({ maxDepth: 1 })),
        identifier: fc.oneof(identifier, fc.jsonValue({ maxDepth: 2 })),
        data,
        history,
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  )
  .map(([cmd, extra]) => JSON.stringify({ ...extra, ...cmd }));

/** Any frame text at all. */
const anyFrame = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  commandLike,
);

interface Fixture {
  server: TestServer;
  user: Member;
  room: string;
}

async function fixture(): Promise<Fixture> {
  const server = await startTestServer({ env: { SALON_CABLE_MAX_CONNECTIONS_PER_USER: '1000' } });
  installEchoChannel(server);
  const user = await newUser(server);
  const room = await createRoom(server, [user.userId]);
  return { server, user, room };
}

/**
 * One run: a fresh connection takes the frames (at most 20, which the server tolerates even if
 * all are junk), then must still confirm a subscribe to the user's room.
 */
async function survives(
  { server, user, room }: Fixture,
  frames: string[],
  ext: boolean,
): Promise<void> {
  const { client } = await connectRaw(server, {
    token: user.token,
    protocols: ext ? PROTOCOL_EXT : PROTOCOL_V1,
  });
  try {
    for (const f of frames) client.send(f);
    // Dropped first, in case the random frames subscribed it: this is a fresh subscription.
    const valid = roomIdentifier(room);
    client.unsubscribe(valid);
    await client.subscribed(valid);
    expect(client.isOpen).toBe(true);
    expect(client.received.filter((f) => f.type === 'disconnect')).toEqual([]);
  } finally {
    client.close();
  }
}

async function afterwards({ server }: Fixture): Promise<void> {
  const health = await api(server, 'GET', '/healthz');
  expect(health.status).toBe(200);
  await waitFor(
    'the registry to empty',
    () => JSON.stringify(server.salon.cable.registry.stats()) === JSON.stringify(EMPTY_REGISTRY),
  );
}

describe('a live connection under random input', () => {
  test('random strings', async () => {
    const f = await fixture();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 20 }),
        fc.boolean(),
        (frames, ext) => survives(f, frames, ext),
      ),
      { numRuns: 60 },
    );
    await afterwards(f);
  });

  test('random JSON values', async () => {
    const f = await fixture();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          { maxLength: 20 },
        ),
        fc.boolean(),
        (frames, ext) => survives(f, frames, ext),
      ),
      { numRuns: 60 },
    );
    await afterwards(f);
  });

  test('random command-shaped objects', async () => {
    const f = await fixture();
    await fc.assert(
      fc.asyncProperty(fc.array(commandLike, { maxLength: 20 }), fc.boolean(), (frames, ext) =>
        survives(f, frames, ext),
      ),
      { numRuns: 150 },
    );
    await afterwards(f);
  });

  test('everything mixed, including identifiers of real subscriptions', async () => {
    const f = await fixture();
    const real = fc.constantFrom(
      roomIdentifier(f.room),
      '{"channel":"UserChannel"}',
      '{"channel":"EchoChannel","stream":"s"}',
    );
    const onReal = fc
      .tuple(fc.constantFrom(...COMMANDS), real, data)
      .map(([command, identifier, d]) => JSON.stringify({ command, identifier, data: d }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(anyFrame, onReal), { maxLength: 20 }),
        fc.boolean(),
        (frames, ext) => survives(f, frames, ext),
      ),
      { numRuns: 100 },
    );
    await afterwards(f);
  });

  test('every command kind with junk in each of its fields', async () => {
    const f = await fixture();
    // The HTTP tests' junk (test/helpers/junk.ts): huge numbers, 10k-deep JSON, poisoned keys,
    // controls, bidi, lone surrogates, enormous strings... in place of one field of a command that
    // is otherwise well-formed. Frames over the frame limit are another test's (bad-input.test.ts).
    const junkFrame = fc
      .tuple(
        fc.constantFrom(...COMMANDS),
        fc.constantFrom('command', 'identifier', 'data', 'history'),
        junkValue,
      )
      .map(([command, field, junk]) =>
        withRawField(
          // Not the room `survives` subscribes to last: a malformed subscribe is answered with a
          // reject for its identifier, which would read as the room's answer.
          { command, identifier: echoIdentifier('junk'), data: '{"action":"echo"}' },
          field,
          junk.json,
        ),
      )
      .filter((frame) => Buffer.byteLength(frame) <= MAX_FRAME_BYTES);
    await fc.assert(
      fc.asyncProperty(fc.array(junkFrame, { maxLength: 20 }), fc.boolean(), (frames, ext) =>
        survives(f, frames, ext),
      ),
      { numRuns: 40 },
    );
    await afterwards(f);
  });
});
