import { expect, test } from 'vitest';
import { warmValidators } from './warm-validators.js';

test('every warm-up sample is valid, so start-up compiles the path a real message takes', () => {
  expect(warmValidators()).toEqual([]);
});
