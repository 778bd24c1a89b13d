import { describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectRaw, newUser } from './helpers/fixtures.js';

/**
 * A peer whose network vanished leaves its TCP socket open: the server pings it at the
 * WebSocket level with its 3 s heartbeat and ends it when a whole beat passes without a byte
 * from it (a pong included), so that its presence ends within seconds, not minutes.
 */
describe('WebSocket liveness', () => {
  test('a peer that stops answering pings is dropped within three beats; one that answers stays', async () => {
    const server = await startTestServer();
    const gone = await newUser(server);
    const alive = await newUser(server);
    const { client: silent } = await connectRaw(server, { token: gone.token, autoPong: false });
    const { client: answering } = await connectRaw(server, { token: alive.token });
    const registry = server.salon.cable.registry;
    expect(registry.connectionsOfUser(gone.userId).size).toBe(1);

    // Its last byte was the handshake: gone after two silent beats of 3 s, plus up to one beat
    // until the first.
    await waitFor(
      'the silent peer to be dropped',
      () => registry.connectionsOfUser(gone.userId).size === 0,
      12_000,
    );
    const closed = await silent.closed;
    expect(closed.code).toBe(1006);

    // The one that answers the pings (and nothing else) is still there three beats later.
    const pingTimes: number[] = [];
    answering.ws.on('message', (data: Buffer) => {
      if (data.toString('utf8').includes('"type":"ping"')) pingTimes.push(Date.now());
    });
    const stillThere = Date.now() + 9_000;
    await waitFor('three more beats', () => Date.now() >= stillThere, 10_000, 250);
    expect(registry.connectionsOfUser(alive.userId).size).toBe(1);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    // The ping loop goes through the connections in slices: each one still hears a ping every
    // 3 s, neither more often nor less (Rails clients call a connection stale after 6 s).
    expect(pingTimes.length).toBeGreaterThanOrEqual(2);
    expect(pingTimes.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < pingTimes.length; i++) {
      const gap = (pingTimes[i] ?? 0) - (pingTimes[i - 1] ?? 0);
      expect(gap).toBeGreaterThan(2_000);
      expect(gap).toBeLessThan(4_500);
    }
  }, 30_000);
});
