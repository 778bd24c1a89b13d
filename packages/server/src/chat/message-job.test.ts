import pino from 'pino';
import { describe, expect, test } from 'vitest';
import type { Publisher } from '../broker/broker.js';
import { newRow } from './message-batch.js';
import { MessageJob } from './message-job.js';
import type { MessageRequest, MessageStore, WriteResult } from './message.store.js';

const silent = pino({ level: 'silent' });

function requests(prefix: string, n: number): MessageRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    requestId: `${prefix}${String(i)}`,
    roomId: 'room-1',
    senderId: 'user-1',
    clientId: `${prefix}${String(i)}`,
    body: `message ${prefix}${String(i)}`,
    replyTo: null,
  }));
}

/** A store that numbers each batch's messages after the last, as a commit would. */
function numberingStore(): MessageStore & { calls: number } {
  let seq = 0;
  const store = {
    calls: 0,
    writeBatch(batch: readonly MessageRequest[]): Promise<WriteResult[]> {
      store.calls++;
      return Promise.resolve(
        batch.map((r) => ({
          ok: true as const,
          message: newRow(r, `id-${r.clientId}`, ++seq, 1_700_000_000_000),
          senderName: 'Ada',
          duplicate: false,
        })),
      );
    },
  };
  return store;
}

/** Records the client_id of each message broadcast, in order. */
function recordingPublisher(opts: { failOn?: string } = {}): Publisher & { published: string[] } {
  const published: string[] = [];
  return {
    published,
    publish(_stream, event) {
      const clientId = (event as { message?: { client_id?: string } }).message?.client_id ?? '?';
      if (clientId === opts.failOn) throw new Error('publish failed');
      published.push(clientId);
    },
    settled: () => Promise.resolve(),
    control: () => undefined,
  };
}

describe('MessageJob on one node', () => {
  test('stores a batch while the one before it is being announced, and announces in commit order', async () => {
    const store = numberingStore();
    const publisher = recordingPublisher();
    const job = new MessageJob(store, publisher, silent);
    const first = requests('a', 200);
    const second = requests('b', 3);

    await job.runBatch(first);
    // The first batch is stored and its announcement has begun, in slices.
    expect(publisher.published.length).toBeGreaterThan(0);
    expect(publisher.published.length).toBeLessThan(first.length);
    const secondRun = job.runBatch(second);
    // The second batch went to the store before the first was fully announced.
    expect(store.calls).toBe(2);
    expect(publisher.published.length).toBeLessThan(first.length);
    await secondRun;
    await job.settled();
    expect(publisher.published).toEqual([...first, ...second].map((r) => r.clientId));
  });

  test('without overlap (one core), a run ends once its batch is announced', async () => {
    const store = numberingStore();
    const publisher = recordingPublisher();
    const job = new MessageJob(store, publisher, silent, { overlap: false });
    const first = requests('a', 200);
    await job.runBatch(first);
    expect(publisher.published).toEqual(first.map((r) => r.clientId));
  });

  test('a broadcast that throws is logged; the sender still hears, and the rest go out', async () => {
    const store = numberingStore();
    const publisher = recordingPublisher({ failOn: 'a1' });
    const job = new MessageJob(store, publisher, silent);
    const batch = requests('a', 3);
    const answered = job.waitFor('a1');
    await job.runBatch(batch);
    await job.settled();
    expect(await answered).toMatchObject({ ok: true, message: { client_id: 'a1', seq: 2 } });
    expect(publisher.published).toEqual(['a0', 'a2']);
  });
});
