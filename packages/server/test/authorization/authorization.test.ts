import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ClientCommand } from '@salon/protocol';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SubscriptionHost } from '../../src/cable/channel.js';
import { api, type TestServer } from '../helpers/salon-server.js';
import { cableNeedsFreshRoom, liveRemoval, probeCable } from './cable-probes.js';
import type { CellContext, Credential } from './cell-context.js';
import { fastifyRoutes } from './fastify-routes.js';
import { HTTP_INVITEE_MUTATING, HTTP_MUTATING, HTTP_PROBES } from './http-probes.js';
import {
  ALLOWED,
  CABLE_ROWS,
  CALLERS,
  COMMANDS_IN_ROWS,
  COMMANDS_WITHOUT_AUTHORITY,
  HTTP_ROWS,
  MATRIX,
  cellName,
  coveredRoute,
  type Caller,
  type MatrixRow,
} from './matrix.js';
import {
  makePeople,
  makeRoom,
  revokedSession,
  roomState,
  startMatrixServer,
  staleTickets,
  type MatrixRoom,
  type People,
} from './matrix-world.js';
import { DOC_PATH, parseDoc } from './matrix-doc.js';

declare module 'vitest' {
  interface TaskMeta {
    /** What the cell's caller got: write-doc.ts shows it for a cell that failed. */
    observed?: string;
  }
}

/**
 * The authorization matrix (matrix.ts): each cell runs against one real server on a random port,
 * over real HTTP and real WebSocket connections. Callers are made once; a cell gets a room of
 * its own only when it changes the room (an allowed rename, removal, edit, delete; a live
 * removal), and a refused cell must leave the room as it found it.
 */
let server: TestServer;
let stop: () => Promise<void>;
let people: People;
let shared: MatrixRoom;
let revokedToken: string;
let routes: Set<string>;
let tickets: Promise<{ spent: string; expired: string }> | undefined;

beforeAll(async () => {
  ({ server, stop } = await startMatrixServer());
  people = await makePeople(server);
  shared = await makeRoom(server, people);
  revokedToken = await revokedSession(server, people.member);
  routes = fastifyRoutes(server.salon.http.printRoutes({ commonPrefix: false }));
}, 60_000);

afterAll(async () => {
  await stop();
});

const PERSONS = ['owner', 'admin', 'member', 'invitee', 'removed', 'outsider'] as const;
const isPerson = (c: Caller): c is (typeof PERSONS)[number] =>
  (PERSONS as readonly string[]).includes(c);

/** The credentials a caller presents: the stale-ticket column tries a spent and an expired one. */
async function credentialsOf(caller: Caller): Promise<Credential[]> {
  if (isPerson(caller)) return [{ kind: 'token', token: people[caller].token }];
  if (caller === 'revoked') return [{ kind: 'token', token: revokedToken }];
  if (caller === 'anonymous') return [{ kind: 'none' }];
  // Made in the first cell that needs them: spending one takes a connection, which a test owns.
  tickets ??= staleTickets(server, people.member);
  const { spent, expired } = await tickets;
  return [
    { kind: 'ticket', ticket: spent },
    { kind: 'ticket', ticket: expired },
  ];
}

function needsFreshRoom(row: MatrixRow, caller: Caller): boolean {
  if (row.surface === 'cable') return cableNeedsFreshRoom(row, caller);
  if (row.expect[caller] !== ALLOWED) return false;
  return HTTP_MUTATING.has(row.id) || (caller === 'invitee' && HTTP_INVITEE_MUTATING.has(row.id));
}

describe('the matrix covers everything there is', () => {
  it('every HTTP route has a row, and every row a route', () => {
    const served = new Set([...routes].map(coveredRoute));
    const listed = new Set(HTTP_ROWS.map((r) => r.route));
    // The web app's route exists only when packages/web/dist is built; its cells then run.
    if (!served.has('GET /*')) listed.delete('GET /*');
    expect(served.size).toBeGreaterThan(10);
    expect([...served].sort()).toEqual([...listed].sort());
  });

  it('every channel, and every action of each, has a row', () => {
    const host: SubscriptionHost = {
      identity: { userId: 'u', sessionId: 's', expiresAt: Number.MAX_SAFE_INTEGER },
      streamFrom: () => undefined,
      stopStreamFrom: () => undefined,
      transmit: () => undefined,
    };
    const found: string[] = [];
    for (const [name, definition] of server.salon.cable.channels) {
      const params =
        name === 'RoomChannel'
          ? { channel: name, room: '00000000-0000-4000-8000-000000000000' }
          : { channel: name };
      const channel = definition.create(host, JSON.stringify(params), params);
      expect(channel, `${name}: the matrix does not know its parameters`).toBeDefined();
      found.push(
        `${name} subscribe`,
        ...Object.keys(channel?.actions ?? {}).map((a) => `${name} ${a}`),
      );
    }
    const rows = CABLE_ROWS.filter((r) => r.action !== 'connect' && r.action !== 'history').map(
      (r) => `${String(r.channel)} ${String(r.action)}`,
    );
    expect([...new Set(rows)].sort()).toEqual(found.sort());
  });

  it('every client command has rows or is listed as carrying no authority', () => {
    const commands = ClientCommand.options.map((o) => o.shape.command.value);
    expect([...commands].sort()).toEqual(
      [...COMMANDS_IN_ROWS, ...COMMANDS_WITHOUT_AUTHORITY].sort(),
    );
  });

  it('docs/authorization.md shows exactly this matrix (run `npm run docs:authz` after a change)', () => {
    const doc = parseDoc(fs.readFileSync(fileURLToPath(DOC_PATH), 'utf8'));
    expect(doc.columns).toEqual([...CALLERS]);
    expect(doc.rows.map((r) => r.id)).toEqual(MATRIX.map((r) => r.id));
    for (const row of MATRIX) {
      const cells = doc.rows.find((r) => r.id === row.id)?.cells ?? [];
      CALLERS.forEach((caller, i) =>
        expect(cells[i], `${row.id} | ${caller}`).toContain(row.expect[caller]),
      );
    }
  });
});

describe('each caller gets what the matrix says, and a refusal changes nothing', () => {
  for (const row of MATRIX) {
    for (const caller of CALLERS) {
      it(cellName(row, caller), async ({ task, skip }) => {
        if (row.route === 'GET /*' && !routes.has('GET /*'))
          skip('the web app is not built (packages/web/dist): its route does not exist');
        const expected = row.expect[caller];
        const room = needsFreshRoom(row, caller)
          ? await makeRoom(server, people, { keepRemoved: liveRemoval(row, caller) })
          : shared;
        if (room !== shared && caller === 'invitee')
          // Having accepted, the invitee would have "talked with" the owner, and be added
          // straight in to every later room; leaving undoes that (it needs both in one room).
          onTestFinished(async () => {
            await api(
              server,
              'DELETE',
              `/api/rooms/${room.id}/members/me`,
              undefined,
              people.invitee.token,
            );
          });
        const before = await roomState(server, room.id);
        const ctx: CellContext = {
          server,
          people,
          room,
          caller,
          who: isPerson(caller) ? people[caller] : people.member,
        };
        const seen: string[] = [];
        for (const cred of await credentialsOf(caller)) {
          const probe = HTTP_PROBES[row.id];
          seen.push(
            row.surface === 'http' && probe
              ? await probe(ctx, cred)
              : await probeCable(ctx, row, cred),
          );
        }
        const observed = [...new Set(seen)].join(' / ');
        task.meta.observed = observed;
        expect(observed).toBe(expected);
        if (expected !== ALLOWED) {
          const after = await roomState(server, room.id);
          // A live removal took the member out on purpose: the rest must stand.
          if (liveRemoval(row, caller)) after.members = before.members;
          if (!isDeepStrictEqual(after, before))
            task.meta.observed = `${observed}, but the room changed`;
          expect(after).toEqual(before);
        }
      });
    }
  }
});
