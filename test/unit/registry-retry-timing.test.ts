import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelay } from '../../registry/retry-timing.js';

describe('retry timing', () => {
  const options = { baseMs: 100, maxMs: 1000 };
  const delays: Array<[string, number, number | undefined, number, number]> = [
    ['first attempt, no header', 1, undefined, 0, 50],
    ['first attempt, full jitter', 1, undefined, 1, 100],
    ['grows exponentially', 3, undefined, 1, 400],
    ['capped', 10, undefined, 1, 1000],
    ['honours Retry-After', 1, 700, 0, 700],
    ['caps Retry-After', 1, 60_000, 0, 1000],
  ];
  for (const [name, attempt, after, random, expected] of delays) {
    it(`retryDelay – ${name}`, () =>
      assert.equal(
        retryDelay(attempt, after, options, () => random),
        expected,
      ));
  }
});
