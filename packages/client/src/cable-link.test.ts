import { describe, expect, it } from 'vitest';
import { MAX_RECONNECT_DELAY_MS, reconnectDelay } from './cable-link.js';

describe('reconnectDelay', () => {
  it('starts within seconds and never waits longer than the cap, however many attempts failed', () => {
    for (let run = 0; run < 200; run++) {
      expect(reconnectDelay(0)).toBeGreaterThan(1000);
      expect(reconnectDelay(0)).toBeLessThan(10_000);
      for (let attempts = 1; attempts <= 40; attempts++) {
        const delay = reconnectDelay(attempts);
        expect(delay).toBeGreaterThan(0);
        expect(delay).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
      }
    }
  });
});
