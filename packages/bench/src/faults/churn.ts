import WebSocket from 'ws';
import type { Account } from './accounts.js';
import { sleep } from './salon-process.js';

/**
 * Opens a cable connection, subscribes to the room and resolves once confirmed (false on any
 * failure or after 10 s); the socket is handed to `hold`, then closed.
 */
export function visit(
  wsUrl: string,
  who: Account,
  roomId: string,
  holdMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const identifier = JSON.stringify({ channel: 'RoomChannel', room: roomId });
    const ws = new WebSocket(`${wsUrl}/cable`, 'actioncable-v1-json', {
      headers: { authorization: `Bearer ${who.token}` },
      handshakeTimeout: 10_000,
    });
    const giveUp = setTimeout(() => finish(false), 10_000);
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      if (!ok) {
        ws.terminate();
        resolve(false);
        return;
      }
      void sleep(holdMs).then(() => {
        ws.close();
        resolve(true);
      });
    };
    ws.on('error', () => finish(false));
    ws.on('close', () => finish(false));
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as { type?: string };
      if (f.type === 'welcome') ws.send(JSON.stringify({ command: 'subscribe', identifier }));
      else if (f.type === 'confirm_subscription') finish(true);
      else if (f.type === 'reject_subscription') finish(false);
    });
  });
}

/** Counts of connections that subscribed and that failed. */
export interface VisitCounts {
  ok: number;
  failed: number;
}

/** Keeps `parallel` short visits (1-4 s each) going until `stop()` resolves true. */
export async function churn(
  wsUrl: string,
  people: readonly Account[],
  roomId: string,
  parallel: number,
  stopped: () => boolean,
  counts: VisitCounts,
): Promise<void> {
  await Promise.all(
    Array.from({ length: parallel }, async (_, lane) => {
      while (!stopped()) {
        const who = people[lane % people.length] as Account;
        const ok = await visit(wsUrl, who, roomId, 1000 + Math.random() * 3000);
        if (ok) counts.ok++;
        else counts.failed++;
      }
    }),
  );
}

/** `size` connections at once (a reconnect storm after an outage), held 3 s, then closed. */
export async function storm(
  wsUrl: string,
  people: readonly Account[],
  roomId: string,
  size: number,
  counts: VisitCounts,
): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: size }, (_, i) =>
      visit(wsUrl, people[i % people.length] as Account, roomId, 3000),
    ),
  );
  for (const ok of results) {
    if (ok) counts.ok++;
    else counts.failed++;
  }
}
