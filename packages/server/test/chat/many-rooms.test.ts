import { randomUUID } from 'node:crypto';
import type { ErrorBody, RoomSummary, RoomsPage } from '@salon/protocol';
import { describe, expect, it } from 'vitest';
import { api, startTestServer, testPhone } from '../helpers/salon-server.js';
import { ChatClient, ok, person, postMessage } from './chat-client.js';

/**
 * The review's findings 1 and 2 at the scale they were found: a person in ten thousand rooms (the
 * list used to answer 500, "too many SQL variables"), and nothing limiting how fast someone makes
 * rooms, opens DMs, adds people or sends over HTTP.
 */

const ROOMS = 10_000;

describe('a person in ten thousand rooms', () => {
  it('pages through the whole list, newest first, each room once; one subscription follows all', async () => {
    const server = await startTestServer();
    const victim = await person(server, 'Vic');
    const spammer = await person(server, 'Sam');
    // Written straight to the database: making 10,000 rooms over HTTP would take minutes and is
    // what the rate limits below now refuse anyway.
    const base = Date.now() - ROOMS * 1000;
    const ids: string[] = [];
    const db = server.salon.db;
    for (let start = 0; start < ROOMS; start += 500) {
      const rooms = Array.from({ length: Math.min(500, ROOMS - start) }, (_, i) => ({
        id: randomUUID(),
        kind: 'group' as const,
        name: `spam ${String(start + i)}`,
        direct_key: null,
        created_by: spammer.id,
        created_at: base,
        last_activity_at: base + (start + i) * 1000,
      }));
      ids.push(...rooms.map((r) => r.id));
      await db.insertInto('rooms').values(rooms).execute();
      await db
        .insertInto('memberships')
        .values(
          rooms.flatMap((r) => [
            { room_id: r.id, user_id: spammer.id, role: 'owner' as const, joined_at: base },
            { room_id: r.id, user_id: victim.id, role: 'member' as const, joined_at: base },
          ]),
        )
        .execute();
    }

    const seen: RoomSummary[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=200' : `?limit=200&cursor=${cursor}`;
      const page: RoomsPage = await ok<RoomsPage>(
        server,
        'GET',
        `/api/rooms${query}`,
        undefined,
        victim.token,
      );
      seen.push(...page.rooms);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(ROOMS / 200);
    expect(new Set(seen.map((r) => r.id)).size).toBe(ROOMS);
    // Newest activity first: the last room made is first.
    expect(seen[0]?.id).toBe(ids[ROOMS - 1]);
    expect(seen.at(-1)?.id).toBe(ids[0]);

    // One InboxChannel subscription follows every room: a message in the oldest one reaches it.
    const inbox = await ChatClient.connect(server, victim);
    await inbox.raw.subscribed('{"channel":"InboxChannel"}');
    const oldest = ids[0] ?? '';
    await postMessage(server, spammer, oldest, 'still here', 'old-1');
    await inbox.raw.nextFrame(
      (f) =>
        (f.message as { message?: { room_id?: string } } | undefined)?.message?.room_id === oldest,
    );
    // …and it is now first in the list.
    const first = await ok<RoomsPage>(server, 'GET', '/api/rooms?limit=1', undefined, victim.token);
    expect(first.rooms[0]).toMatchObject({ id: oldest, unread_count: 1 });

    // A cursor that is not one the server gave is a clear 400.
    const bad = await api(server, 'GET', '/api/rooms?cursor=not-a-cursor', undefined, victim.token);
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
  }, 120_000);
});

describe('per-person limits', () => {
  const limited = async (res: Promise<{ status: number; headers: Headers; body: unknown }>) => {
    const r = await res;
    expect(r.status).toBe(429);
    expect((r.body as ErrorBody).error.code).toBe('RATE_LIMITED');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('on making groups, opening DMs, adding people and sending over HTTP', async () => {
    const server = await startTestServer({
      env: {
        SALON_LIMIT_GROUPS_PER_HOUR: '3',
        SALON_LIMIT_DMS_PER_HOUR: '2',
        SALON_LIMIT_MEMBER_ADDS_PER_HOUR: '5',
        SALON_LIMIT_HTTP_SENDS_PER_MINUTE: '3',
      },
    });
    const sam = await person(server, 'Sam');
    const vic = await person(server, 'Vic');
    for (let i = 0; i < 3; i++)
      await ok(
        server,
        'POST',
        '/api/rooms',
        { name: `g${String(i)}`, members: [] },
        sam.token,
        201,
      );
    await limited(
      api(server, 'POST', '/api/rooms', { name: 'one too many', members: [] }, sam.token),
    );

    await ok(server, 'POST', '/api/dms', { phone: testPhone() }, sam.token, 201);
    await ok(server, 'POST', '/api/dms', { user_id: vic.id }, sam.token, 201);
    await limited(api(server, 'POST', '/api/dms', { phone: testPhone() }, sam.token));

    const group = await ok<{ room: { id: string } }>(
      server,
      'POST',
      '/api/rooms',
      { name: 'Vic’s', members: [] },
      vic.token,
      201,
    );
    const adds = Array.from({ length: 5 }, () => testPhone());
    await ok(server, 'POST', `/api/rooms/${group.room.id}/members`, { members: adds }, vic.token);
    await limited(
      api(server, 'POST', `/api/rooms/${group.room.id}/members`, { members: [sam.id] }, vic.token),
    );

    for (let i = 0; i < 3; i++)
      await postMessage(server, vic, group.room.id, 'hi', `s${String(i)}`);
    await limited(
      api(
        server,
        'POST',
        `/api/rooms/${group.room.id}/messages`,
        { body: 'hi', client_id: 's3' },
        vic.token,
      ),
    );
    // Someone else is not held up by Sam's or Vic's limits.
    const ann = await person(server, 'Ann');
    await ok(server, 'POST', '/api/rooms', { name: 'mine', members: [sam.id] }, ann.token, 201);
  });

  it('adding 500 new numbers does not hold the event loop: other requests are served meanwhile', async () => {
    const server = await startTestServer();
    const owner = await person(server, 'Owner');
    const group = await ok<{ room: { id: string } }>(
      server,
      'POST',
      '/api/rooms',
      { name: 'Big', members: [] },
      owner.token,
      201,
    );
    const numbers = Array.from({ length: 500 }, () => testPhone());
    const order: string[] = [];
    const adding = api(
      server,
      'POST',
      `/api/rooms/${group.room.id}/members`,
      { members: numbers },
      owner.token,
    ).then((r) => {
      order.push('add');
      return r;
    });
    // Asked right after: answered while the 500 numbers are being parsed and written.
    const health = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      const r = await api(server, 'GET', '/healthz');
      order.push('healthz');
      return r;
    })();
    const [added, healthz] = await Promise.all([adding, health]);
    expect(added.status).toBe(200);
    expect(healthz.status).toBe(200);
    expect(order).toEqual(['healthz', 'add']);
    const members = await ok<{ members: unknown[] }>(
      server,
      'GET',
      `/api/rooms/${group.room.id}/members`,
      undefined,
      owner.token,
    );
    expect(members.members).toHaveLength(501);
  });
});
