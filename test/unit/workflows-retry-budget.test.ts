import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityRetry, attemptsWithin, budgetDelayMs, budgetSpent } from '../../workflows/retry-budget.js';

describe('retry budget', () => {
  const attempts: Array<[string, number, number]> = [
    ['no time: still one retry', 0, 2],
    ['1 s: one wait', 1_000, 2],
    ['3 s: waits of 1 and 2 s', 3_000, 3],
    ['4 s: the 4 s wait does not fit', 4_000, 3],
    ['63 s: 1+2+4+8+16+32', 63_000, 7],
    ['30 min: then a minute a try', 30 * 60_000, 35],
  ];
  for (const [name, ms, expected] of attempts)
    it(`attempts – ${name}`, () => assert.equal(attemptsWithin({ ms }), expected));

  it('activity retry – 1 s doubling to 1 min, as many attempts as fit', () => {
    assert.deepEqual(activityRetry({ ms: 15 * 60_000 }), {
      initialInterval: 1_000,
      backoffCoefficient: 2,
      maximumInterval: 60_000,
      maximumAttempts: 20,
    });
  });

  it('delay – 2 s doubling, never past 1 min', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map(budgetDelayMs),
      [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000],
    );
  });

  it('says which budget was spent', () => {
    assert.equal(budgetSpent({ ms: 30 * 60_000 }, 12), 'retry budget of 30 min spent after 12 attempts');
    assert.equal(budgetSpent({ ms: 5_000 }, 1), 'retry budget of 5 s spent after 1 attempt');
    assert.equal(budgetSpent({ ms: 90_000 }), 'retry budget of 1.5 min spent');
  });
});
