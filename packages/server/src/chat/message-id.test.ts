import { describe, expect, test } from 'vitest';
import { newMessageId } from './message-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newMessageId', () => {
  test('is a UUIDv7: version 7, RFC 9562 variant, the time in its first 48 bits', () => {
    const at = Date.UTC(2026, 10, 30, 12, 0, 0, 123);
    const id = newMessageId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  test('ids sort by time, and two made in the same millisecond differ', () => {
    const ids = [1, 2, 1000, 2 ** 40].map((t) => newMessageId(t));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => newMessageId(5)));
    expect(same.size).toBe(1000);
  });

  test('now by default', () => {
    const before = Date.now();
    const id = newMessageId();
    const t = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});
