import type { ChannelErrorPayload } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import { ChatClient, createGroup, person, roomIdentifier } from './chat-client.js';

/** One person's send rate over the cable holds across all of their connections. */

describe('a sender at full speed', () => {
  test('cannot pass its rate however many connections it opens: RATE_LIMITED with retry_after', async () => {
    const server = await startTestServer({
      env: { SALON_LIMIT_SENDS_PER_SECOND: '2', SALON_LIMIT_SEND_BURST: '5' },
    });
    const ana = await person(server, 'Ana');
    const ben = await person(server, 'Ben');
    const { id: roomId } = await createGroup(server, ana, 'flood', [ben.id]);
    const conns = await Promise.all([1, 2, 3].map(() => ChatClient.connect(server, ana)));
    for (const c of conns) await c.joinRoom(roomId);

    const started = performance.now();
    const total = 30;
    for (let i = 0; i < total; i++) conns[i % 3]!.speak(roomId, `m${String(i)}`, `c${String(i)}`);
    // Every send is answered on its own connection: stored (the message comes back) or refused.
    const stored: string[] = [];
    const refused: ChannelErrorPayload[] = [];
    const id = roomIdentifier(roomId);
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const clientId = `c${String(i)}`;
        const frame = await conns[i % 3]!.raw.nextFrame((f) => {
          if (f.identifier !== id) return false;
          const m = f.message as {
            type?: string;
            client_id?: string;
            message?: { client_id?: string };
          };
          return (
            (m.type === 'message' && m.message?.client_id === clientId) ||
            (m.type === 'error' && m.client_id === clientId)
          );
        }, 10_000);
        const m = frame.message as ChannelErrorPayload | { type: 'message' };
        if (m.type === 'error') refused.push(m);
        else stored.push(clientId);
      }),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    expect(stored.length + refused.length).toBe(total);
    // The burst, plus what the rate refilled while the sends were handled.
    expect(stored.length).toBeGreaterThanOrEqual(5);
    expect(stored.length).toBeLessThanOrEqual(5 + Math.ceil(2 * elapsedSeconds) + 1);
    for (const err of refused) {
      expect(err).toMatchObject({ code: 'RATE_LIMITED', action: 'speak', retry_after: 1 });
      expect(err.message).toMatch(/^You are sending messages too fast\. Try again in 1 s\.$/);
    }
    // Ben, in the same room, is not held up by Ana's budget.
    const benConn = await ChatClient.connect(server, ben);
    await benConn.joinRoom(roomId);
    benConn.speak(roomId, 'hello', 'ben-1');
    await benConn.message(roomId, 'ben-1');
  });
});
