import { CLOSE_CODES, PROTOCOL_V1 } from '@salon/protocol';
import pg from 'pg';
import { expect, onTestFinished, test } from 'vitest';
import { person } from '../chat/chat-client.js';
import { startTestServer, type TestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { RawClient } from './helpers/raw-client.js';

/*
 * A node stopping while a connection's credentials are still being checked. The check waits
 * here on PostgreSQL (the sessions table held locked by the test), which makes the moment
 * exact. Before the fix such a connection was registered after the cable had closed: it got
 * `welcome` from a stopping node, was never closed by it, and a WebSocket's upgraded socket held
 * the HTTP server's close open (a real process was then killed at its deadline, its people left
 * online in a cluster).
 */

/** Holds the sessions table locked; `release` lets the lookups waiting on it go on. */
async function lockSessions(server: TestServer): Promise<{
  lookupWaiting: () => Promise<void>;
  release: () => Promise<void>;
}> {
  const locker = new pg.Client({ connectionString: server.databaseUrl });
  await locker.connect();
  onTestFinished(() => locker.end());
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
  return {
    lookupWaiting: async () => {
      await waitFor('the session lookup waiting on the lock', async () => {
        const waiting = await locker.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%sessions%'",
        );
        return waiting.rowCount === 1;
      });
    },
    release: async () => {
      await locker.query('COMMIT');
    },
  };
}

test('a WebSocket still being authenticated is told to reconnect, and the node finishes closing', async () => {
  const server = await startTestServer();
  const ana = await person(server, 'Ana');
  const lock = await lockSessions(server);
  const raw = await RawClient.open(`${server.wsUrl}/cable`, {
    protocols: PROTOCOL_V1,
    headers: { authorization: `Bearer ${ana.token}` },
  });
  await lock.lookupWaiting();

  const closing = server.close();
  await lock.release();
  // Its first frame says to come back later (before the fix: `welcome`, on a stopping node).
  const first = await raw.nextFrame(() => true);
  expect(first).toMatchObject({ type: 'disconnect', reason: 'server_restart', reconnect: true });
  expect((await raw.closed).code).toBe(CLOSE_CODES.server_restart);
  await closing;
});

test('a long-polling session still being authenticated is refused with server_restart', async () => {
  const server = await startTestServer();
  const ana = await person(server, 'Ana');
  const lock = await lockSessions(server);
  const answer = fetch(new URL('/cable/poll', server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${ana.token}` },
    body: '',
  });
  await lock.lookupWaiting();

  const closing = server.close();
  await lock.release();
  const res = await answer;
  expect(res.status).toBe(503);
  expect(JSON.parse(await res.text())).toEqual({
    type: 'disconnect',
    reason: 'server_restart',
    reconnect: true,
  });
  await closing;
});
