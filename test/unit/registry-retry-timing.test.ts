import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter, retryDelay } from '../../registry/retry-timing.js';

describe('retry timing', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const retryAfter: Array<[string | undefined, number | undefined]> = [
    ['3', 3000],
    ['0', 0],
    ['Wed, 01 Jan 2025 00:00:05 GMT', 5000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of retryAfter) {
    it(`Retry-After "${value}" – ${expected} ms`, () => assert.equal(parseRetryAfter(value, now), expected));
  }

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
