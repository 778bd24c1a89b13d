import { PROTOCOL_EXT, PROTOCOL_V1 } from '@salon/protocol';
import { describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { cableUrl, connectRaw, newUser } from './helpers/fixtures.js';
import { RawClient } from './helpers/raw-client.js';

/** Subprotocol negotiation and the upgrade itself (PROTOCOL.md §1.1). */

describe('subprotocol negotiation', () => {
  test.each([
    // What @rails/actioncable offers.
    [[PROTOCOL_V1, 'actioncable-unsupported'], PROTOCOL_V1],
    // The sentinel is never chosen, even when offered first.
    [['actioncable-unsupported', PROTOCOL_V1], PROTOCOL_V1],
    // What @anycable/web offers.
    [[PROTOCOL_V1], PROTOCOL_V1],
    [[PROTOCOL_EXT], PROTOCOL_EXT],
    // With the sub-protocol auth strategy the token rides along; it is never echoed.
    [['anycable-token.abc', PROTOCOL_EXT], PROTOCOL_EXT],
    [['actioncable-v1-msgpack', PROTOCOL_EXT, PROTOCOL_V1], PROTOCOL_EXT],
  ])('offered %j → answers %s', async (offered, expected) => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const { client, welcome } = await connectRaw(server, { token, protocols: offered });
    expect(client.ws.protocol).toBe(expected);
    expect(welcome.sid !== undefined).toBe(expected === PROTOCOL_EXT);
  });

  test('offering only unsupported protocols fails the handshake', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    for (const offered of [
      ['actioncable-unsupported'],
      ['actioncable-v1-msgpack', 'anycable-token.x'],
    ]) {
      await expect(
        RawClient.open(cableUrl(server), {
          protocols: offered,
          headers: { authorization: `Bearer ${token}` },
        }),
      ).rejects.toThrow(/no subprotocol/i);
    }
    // The server answered no subprotocol; whatever it set up for the socket is gone again.
    await waitFor(
      'no connection left',
      () => server.salon.cable.registry.stats().connections === 0,
    );
  });

  test('only /cable upgrades', async () => {
    const server = await startTestServer();
    const { token } = await newUser(server);
    const url = new URL('/cable/other', server.wsUrl).toString();
    await expect(
      RawClient.open(url, { headers: { authorization: `Bearer ${token}` } }),
    ).rejects.toThrow(/404/);
  });
});
