import pino from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AppError } from '../errors.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import type { BatchJob, Job } from './job-queue.js';

const silent = pino({ level: 'silent' });

/** A promise the test settles by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A job that fails its first `failures` runs, recording when each attempt ran. */
function flakyJob(failures: number, options: Partial<Job<string>> = {}) {
  const attempts: { attempt: number; at: number; payload: string }[] = [];
  const job: Job<string> = {
    name: 'flaky',
    maxAttempts: 10,
    run: (payload, attempt) => {
      attempts.push({ attempt, at: Date.now(), payload });
      return attempts.length <= failures
        ? Promise.reject(new Error(`failure ${String(attempts.length)}`))
        : Promise.resolve();
    },
    ...options,
  };
  return { job, attempts };
}

describe('InProcessJobQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // Jitter at its midpoint: each delay is exactly base × 2^(attempt − 1).
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  test('runs a job once with its payload', async () => {
    const queue = new InProcessJobQueue(silent);
    const { job, attempts } = flakyJob(0);
    queue.enqueue(job, 'hello');
    await vi.runAllTimersAsync();
    expect(attempts.map((a) => [a.attempt, a.payload])).toEqual([[1, 'hello']]);
    expect(queue.pending).toBe(0);
  });

  test('retries with doubling backoff until the job succeeds', async () => {
    const queue = new InProcessJobQueue(silent, { backoffBaseMs: 100 });
    const { job, attempts } = flakyJob(3);
    const t0 = Date.now();
    queue.enqueue(job, 'p');
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(1);
    expect(queue.pending).toBe(1);

    await vi.advanceTimersByTimeAsync(99);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(attempts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(attempts).toHaveLength(4);

    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(attempts.map((a) => a.at - t0)).toEqual([0, 100, 300, 700]);
    expect(queue.pending).toBe(0);
    await vi.runAllTimersAsync();
    expect(attempts).toHaveLength(4);
  });

  test('backoff is jittered ±50% and capped at backoffMaxMs', async () => {
    const queue = new InProcessJobQueue(silent, { backoffBaseMs: 1000, backoffMaxMs: 1500 });
    const { job, attempts } = flakyJob(3);
    vi.mocked(Math.random).mockReturnValueOnce(0).mockReturnValueOnce(0.999).mockReturnValue(0.5);
    queue.enqueue(job, 'p');
    await vi.runAllTimersAsync();
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    // 1000 × 0.5; min(1500, 2000) × ~1.5; min(1500, 4000) × 1.
    expect(gaps[0]).toBe(500);
    expect(gaps[1]).toBeGreaterThan(2240);
    expect(gaps[1]).toBeLessThanOrEqual(2250);
    expect(gaps[2]).toBe(1500);
  });

  test('gives up after maxAttempts', async () => {
    const queue = new InProcessJobQueue(silent, { backoffBaseMs: 10 });
    const { job, attempts } = flakyJob(Infinity, { maxAttempts: 3 });
    queue.enqueue(job, 'p');
    await vi.runAllTimersAsync();
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(queue.pending).toBe(0);
  });

  test('does not retry an error the job calls final', async () => {
    const queue = new InProcessJobQueue(silent, { backoffBaseMs: 10 });
    const isRetryable = vi.fn((err: unknown) => !(err as Error).message.includes('1'));
    const { job, attempts } = flakyJob(Infinity, { isRetryable });
    queue.enqueue(job, 'p');
    await vi.runAllTimersAsync();
    expect(attempts).toHaveLength(1);
    expect(isRetryable).toHaveBeenCalledOnce();
    expect(queue.pending).toBe(0);
  });

  test('runs at most `concurrency` jobs at once', async () => {
    const queue = new InProcessJobQueue(silent, { concurrency: 2 });
    const gates = Array.from({ length: 5 }, deferred);
    let running = 0;
    let most = 0;
    gates.forEach((gate) => {
      queue.enqueue(
        {
          name: 'gated',
          maxAttempts: 1,
          run: async () => {
            running++;
            most = Math.max(most, running);
            await gate.promise;
            running--;
          },
        },
        null,
      );
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toBe(2);
    expect(queue.pending).toBe(5);
    for (const gate of gates) {
      gate.resolve();
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(most).toBe(2);
    expect(queue.pending).toBe(0);
  });

  test('a full queue refuses with SERVICE_UNAVAILABLE', async () => {
    const queue = new InProcessJobQueue(silent, { concurrency: 1, maxQueued: 2 });
    const gate = deferred();
    const job: Job<null> = { name: 'gated', maxAttempts: 1, run: () => gate.promise };
    queue.enqueue(job, null); // running
    queue.enqueue(job, null); // queued 1
    queue.enqueue(job, null); // queued 2
    let refused: unknown;
    try {
      queue.enqueue(job, null);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'SERVICE_UNAVAILABLE', statusCode: 503 });
    expect((refused as AppError).retryAfterSeconds).toBeGreaterThan(0);
    expect(queue.pending).toBe(3);
    gate.resolve();
    await vi.runAllTimersAsync();
    expect(queue.pending).toBe(0);
    // Room again.
    queue.enqueue(job, null);
  });

  test('drain runs retries still waiting on their backoff, and resolves true', async () => {
    const queue = new InProcessJobQueue(silent, { backoffBaseMs: 60_000 });
    const { job, attempts } = flakyJob(2);
    queue.enqueue(job, 'p');
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toHaveLength(1);

    const drained = queue.drain(1000);
    // No timer needs to fire: the waiting retry runs at once, and so does the one after it.
    await vi.advanceTimersByTimeAsync(0);
    expect(await drained).toBe(true);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts.every((a) => a.at === attempts[0]!.at)).toBe(true);
    expect(queue.pending).toBe(0);
  });

  test('drain of an empty queue resolves true at once', async () => {
    const queue = new InProcessJobQueue(silent);
    expect(await queue.drain(1000)).toBe(true);
  });

  test('drain resolves false when work is still running at the timeout', async () => {
    const queue = new InProcessJobQueue(silent);
    const gate = deferred();
    queue.enqueue({ name: 'stuck', maxAttempts: 1, run: () => gate.promise }, null);
    let result: boolean | undefined;
    void queue.drain(500).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(499);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    expect(queue.pending).toBe(1);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.pending).toBe(0);
  });

  test('after drain, enqueue refuses with SERVICE_UNAVAILABLE', async () => {
    const queue = new InProcessJobQueue(silent);
    await queue.drain(100);
    expect(() => queue.enqueue(flakyJob(0).job, 'late')).toThrow(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) as Error,
    );
  });

  test('a job that throws synchronously is treated as a failed run', async () => {
    const queue = new InProcessJobQueue(silent, { backoffBaseMs: 10 });
    let runs = 0;
    queue.enqueue(
      {
        name: 'throws',
        maxAttempts: 2,
        run: () => {
          runs++;
          throw new Error('sync');
        },
      },
      null,
    );
    await vi.runAllTimersAsync();
    expect(runs).toBe(2);
    expect(queue.pending).toBe(0);
  });

  describe('batch jobs (group commit)', () => {
    /** A batch job whose runs the test finishes by hand, recording each batch. */
    function gatedBatchJob() {
      const batches: string[][] = [];
      const gates: ReturnType<typeof deferred>[] = [];
      const job: BatchJob<string> = {
        name: 'batch',
        maxAttempts: 1,
        maxBatch: 100,
        runBatch: (payloads) => {
          batches.push([...payloads]);
          const gate = deferred();
          gates.push(gate);
          return gate.promise;
        },
      };
      return { job, batches, gates };
    }
    /** Lets pending promise callbacks run; no timer (nor setImmediate) fires. */
    const settle = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };

    test('an idle lane starts at once, with everything the current task queued as one batch', async () => {
      const queue = new InProcessJobQueue(silent);
      const { job, batches } = gatedBatchJob();
      queue.enqueue(job, 'a');
      queue.enqueue(job, 'b');
      expect(batches).toEqual([]);
      // No timer and no turn of the event loop: nothing waits when there is nothing to group.
      await settle();
      expect(batches).toEqual([['a', 'b']]);
    });

    test('what arrives while a batch is in flight goes together in the next one', async () => {
      const queue = new InProcessJobQueue(silent);
      const { job, batches, gates } = gatedBatchJob();
      queue.enqueue(job, 'a');
      await settle();
      queue.enqueue(job, 'b');
      await settle();
      queue.enqueue(job, 'c');
      await settle();
      expect(batches).toEqual([['a']]);
      gates[0]?.resolve();
      await settle();
      expect(batches).toEqual([['a'], ['b', 'c']]);
      gates[1]?.resolve();
      await settle();
      expect(queue.pending).toBe(0);
    });

    test("drain waits for what a finished run left going (the job's settled())", async () => {
      const queue = new InProcessJobQueue(silent);
      const followUp = deferred();
      const job: BatchJob<string> = {
        name: 'batch',
        maxAttempts: 1,
        maxBatch: 100,
        runBatch: () => Promise.resolve(),
        settled: () => followUp.promise,
      };
      queue.enqueue(job, 'a');
      let result: boolean | undefined;
      const drained = queue.drain(1000).then((r) => (result = r));
      await settle();
      await settle();
      expect(queue.pending).toBe(0);
      expect(result).toBeUndefined();
      followUp.resolve();
      expect(await drained).toBe(true);
    });

    test('drain times out on follow-up work that does not end', async () => {
      const queue = new InProcessJobQueue(silent);
      const job: BatchJob<string> = {
        name: 'batch',
        maxAttempts: 1,
        maxBatch: 100,
        runBatch: () => Promise.resolve(),
        settled: () => new Promise<void>(() => undefined),
      };
      queue.enqueue(job, 'a');
      const drained = queue.drain(500);
      await vi.advanceTimersByTimeAsync(500);
      expect(await drained).toBe(false);
    });

    describe('with pace (commit pacing under load)', () => {
      function pacedJob(intervalMs: number, maxBatch = 100, fromBatchSize = 1) {
        const gated = gatedBatchJob();
        const job: BatchJob<string> = {
          ...gated.job,
          pace: { intervalMs, fromBatchSize },
          maxBatch,
        };
        return { ...gated, job };
      }

      test('after a batch smaller than fromBatchSize (light traffic), nothing waits', async () => {
        const queue = new InProcessJobQueue(silent);
        const { job, batches, gates } = pacedJob(1000, 100, 2);
        queue.enqueue(job, 'a');
        await settle();
        gates[0]?.resolve();
        await settle();
        queue.enqueue(job, 'b');
        queue.enqueue(job, 'c');
        await settle();
        expect(batches).toEqual([['a'], ['b', 'c']]);
        gates[1]?.resolve();
        await settle();
        // ['b', 'c'] reached fromBatchSize: the next batch waits out the interval.
        queue.enqueue(job, 'd');
        await settle();
        expect(batches).toEqual([['a'], ['b', 'c']]);
        await vi.advanceTimersByTimeAsync(1000);
        expect(batches).toEqual([['a'], ['b', 'c'], ['d']]);
      });

      test('work after a quiet spell starts at once', async () => {
        const queue = new InProcessJobQueue(silent);
        const { job, batches, gates } = pacedJob(4);
        queue.enqueue(job, 'a');
        await settle();
        expect(batches).toEqual([['a']]);
        gates[0]?.resolve();
        await vi.advanceTimersByTimeAsync(10);
        queue.enqueue(job, 'b');
        await settle();
        expect(batches).toEqual([['a'], ['b']]);
      });

      test('work that keeps coming waits out the interval and goes in one batch', async () => {
        const queue = new InProcessJobQueue(silent);
        const { job, batches, gates } = pacedJob(4);
        queue.enqueue(job, 'a');
        await settle();
        gates[0]?.resolve();
        await vi.advanceTimersByTimeAsync(1);
        queue.enqueue(job, 'b');
        await vi.advanceTimersByTimeAsync(1);
        queue.enqueue(job, 'c');
        await settle();
        expect(batches).toEqual([['a']]);
        // 4 ms after 'a' started, not 4 ms after 'b' arrived.
        await vi.advanceTimersByTimeAsync(2);
        expect(batches).toEqual([['a'], ['b', 'c']]);
      });

      test('a full batch does not wait for the interval', async () => {
        const queue = new InProcessJobQueue(silent);
        const { job, batches, gates } = pacedJob(1000, 2);
        queue.enqueue(job, 'a');
        await settle();
        gates[0]?.resolve();
        await settle();
        queue.enqueue(job, 'b');
        await settle();
        expect(batches).toEqual([['a']]);
        queue.enqueue(job, 'c');
        await settle();
        expect(batches).toEqual([['a'], ['b', 'c']]);
      });

      test('drain does not wait for the interval', async () => {
        const queue = new InProcessJobQueue(silent);
        const { job, batches, gates } = pacedJob(60_000);
        queue.enqueue(job, 'a');
        await settle();
        gates[0]?.resolve();
        await settle();
        queue.enqueue(job, 'b');
        const drained = queue.drain(100);
        await settle();
        expect(batches).toEqual([['a'], ['b']]);
        gates[1]?.resolve();
        expect(await drained).toBe(true);
      });
    });
  });
});
