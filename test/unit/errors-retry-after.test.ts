import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter } from '../../errors/retry-after.js';

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const cases: Array<[string | undefined, number | undefined]> = [
    ['3', 3000],
    ['0', 0],
    [' 12 ', 12_000],
    ['Wed, 01 Jan 2025 00:00:05 GMT', 5000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cases) {
    it(`"${value}" – ${expected} ms`, () => assert.equal(parseRetryAfter(value, now), expected));
  }
});
