import { describe, expect, test } from 'vitest';
import { planBatch, assignSeqs, finish } from './message-batch.js';
import { fromWire, toWire } from './message-writer-wire.js';
import type { MessageRequest, WriteResult } from './message.store.js';

const request = (over: Partial<MessageRequest> = {}): MessageRequest => ({
  requestId: 'req',
  roomId: 'room-1',
  senderId: 'user-1',
  clientId: 'c1',
  body: 'hello',
  replyTo: null,
  ...over,
});

describe('the writer thread wire', () => {
  test('new messages, repeats, refusals, events and accepted invitations survive the round trip', () => {
    const requests = [
      request({ clientId: 'a' }),
      request({ clientId: 'b', replyTo: 'm-earlier', roomId: 'room-2', senderId: 'user-2' }),
      request({ clientId: 'a' }),
      request({ clientId: 'c', roomId: 'room-x' }),
      request({
        clientId: 'e',
        body: '',
        event: { type: 'member_added', actor_id: 'user-1', user_ids: ['user-3'] } as never,
      }),
    ];
    const plan = planBatch(
      requests,
      {
        memberState: (roomId, userId) =>
          roomId === 'room-x' ? undefined : userId === 'user-2' ? 'pending' : 'active',
        earlier: () => undefined,
        roomOf: () => 'room-2',
        nameOf: (id) => (id === 'user-1' ? 'Ana' : null),
      },
      1_700_000_000_000,
    );
    for (const rows of plan.perRoom.values()) assignSeqs(rows, 41 + rows.length);
    const results: WriteResult[] = finish(plan, (id) => (id === 'user-1' ? 'Ana' : null));
    const wire = toWire(results);
    // Only new messages travel short.
    expect(wire.map((w) => Array.isArray(w))).toEqual([true, true, false, false, true]);
    expect(structuredClone(fromWire(requests, structuredClone(wire)))).toEqual(results);
  });

  test('an answer with more results than requests is refused, not guessed', () => {
    expect(() => fromWire([], [['id', 1, 1, null, false]])).toThrow(/more results/);
  });
});
