import { describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/salon-server.js';
import {
  connectRaw,
  connectedUser,
  echoIdentifier,
  installEchoChannel,
  newUser,
} from './helpers/fixtures.js';
import { isData, isType, type RawClient } from './helpers/raw-client.js';

/**
 * Subscriptions cost memory and multiply broadcasts, so they are bounded: per connection, per
 * user, and by identifiers being exactly what a channel accepts (security review, finding 1).
 */

async function answerTo(client: RawClient, identifier: string): Promise<string | undefined> {
  const frame = await client.nextFrame(
    (f) =>
      f.identifier === identifier &&
      (f.type === 'confirm_subscription' || f.type === 'reject_subscription'),
  );
  return frame.type;
}

describe('subscription caps', () => {
  test('a connection holds at most SALON_CABLE_MAX_SUBSCRIPTIONS_PER_CONNECTION', async () => {
    const server = await startTestServer({
      env: { SALON_CABLE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '5' },
    });
    installEchoChannel(server);
    const { client } = await connectedUser(server);
    for (let i = 0; i < 5; i++) await client.subscribed(echoIdentifier(`s${String(i)}`));
    client.subscribe(echoIdentifier('one too many'));
    expect(await answerTo(client, echoIdentifier('one too many'))).toBe('reject_subscription');
    // Unsubscribing makes room again.
    client.unsubscribe(echoIdentifier('s0'));
    await client.subscribed(echoIdentifier('one too many'));
  });

  test('a user holds at most SALON_CABLE_MAX_SUBSCRIPTIONS_PER_USER across connections', async () => {
    const server = await startTestServer({
      env: { SALON_CABLE_MAX_SUBSCRIPTIONS_PER_USER: '8' },
    });
    installEchoChannel(server);
    const user = await newUser(server);
    const a = (await connectRaw(server, { token: user.token })).client;
    const b = (await connectRaw(server, { token: user.token })).client;
    for (let i = 0; i < 5; i++) await a.subscribed(echoIdentifier(`a${String(i)}`));
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      b.subscribe(echoIdentifier(`b${String(i)}`));
      answers.push(await answerTo(b, echoIdentifier(`b${String(i)}`)));
    }
    expect(answers).toEqual([
      'confirm_subscription',
      'confirm_subscription',
      'confirm_subscription',
      'reject_subscription',
      'reject_subscription',
    ]);
    // Someone else is not affected, and a closed connection gives its share back.
    const other = await connectedUser(server);
    await other.client.subscribed(echoIdentifier('b3'));
    a.close();
    await a.waitClosed();
    await b.subscribed(echoIdentifier('b3'));
  });
});

describe('the review’s reproduction', () => {
  // 32 connections of one user subscribed thousands of padded UserChannel identifiers, each
  // distinct: memory grew without bound and one broadcast became 35 MB of frames.
  test('padded identifiers are refused: one broadcast reaches each connection once', async () => {
    const server = await startTestServer();
    const user = await newUser(server);
    const clients: RawClient[] = [];
    for (let c = 0; c < 4; c++)
      clients.push((await connectRaw(server, { token: user.token })).client);
    const pad = 'p'.repeat(950);
    for (const client of clients) {
      for (let n = 0; n < 50; n++)
        client.subscribe(JSON.stringify({ channel: 'UserChannel', pad, n }));
      await client.subscribed('{"channel":"UserChannel"}');
    }
    for (const client of clients) {
      expect(client.received.filter(isType('reject_subscription'))).toHaveLength(50);
      expect(client.received.filter(isType('confirm_subscription'))).toHaveLength(1);
    }
    server.salon.cable.broadcast(`user:${user.userId}`, { type: 'note', body: 'x'.repeat(4096) });
    for (const client of clients) {
      await client.nextFrame(isData('{"channel":"UserChannel"}'));
      await client.barrier();
      expect(client.received.filter(isData())).toHaveLength(1);
    }
    expect(server.salon.cable.registry.subscriberCount(`user:${user.userId}`)).toBe(4);
  });
});
