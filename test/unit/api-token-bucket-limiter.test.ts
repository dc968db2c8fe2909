import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruMap } from '../../api/lru-map.js';
import { TokenBucketLimiter } from '../../api/token-bucket-limiter.js';

describe('TokenBucketLimiter', () => {
  // [title, steps (take a key, or let ms pass), what the last take answers]
  const cases: Array<[string, Array<['take', string] | ['wait', number]>, number]> = [
    [
      'lets a burst through',
      [
        ['take', 'a'],
        ['take', 'a'],
      ],
      0,
    ],
    [
      'refuses past the burst, saying when to come back',
      [
        ['take', 'a'],
        ['take', 'a'],
        ['take', 'a'],
      ],
      1,
    ],
    [
      'counts keys apart',
      [
        ['take', 'a'],
        ['take', 'a'],
        ['take', 'b'],
      ],
      0,
    ],
    [
      'gives tokens back over time',
      [
        ['take', 'a'],
        ['take', 'a'],
        ['wait', 500],
        ['take', 'a'],
      ],
      0,
    ],
    [
      'never holds more than the burst',
      [
        ['wait', 60_000],
        ['take', 'a'],
        ['take', 'a'],
        ['take', 'a'],
      ],
      1,
    ],
    [
      'waits out a slow refill',
      [
        ['take', 'a'],
        ['take', 'a'],
        ['take', 'a'],
        ['wait', 100],
        ['take', 'a'],
      ],
      1,
    ],
  ];
  for (const [title, steps, expected] of cases) {
    it(title, () => {
      let now = 1_000_000;
      const limiter = new TokenBucketLimiter({ burst: 2, perSecond: 2 }, 100, () => now);
      let last = -1;
      for (const step of steps) {
        if (step[0] === 'take') last = limiter.take(step[1]);
        else now += step[1];
      }
      assert.equal(last, expected);
    });
  }

  it('bounds – its memory by forgetting the least recently seen key', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 0.001 }, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    assert.equal(limiter.take('a'), 0, 'a was forgotten: a full bucket again');
    assert.ok(limiter.take('c') > 0);
  });
});

describe('LruMap', () => {
  it('evicts – the least recently used key, a read counting as use', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.set('c', 3);
    assert.deepEqual([map.get('a'), map.get('b'), map.get('c'), map.size], [1, undefined, 3, 2]);
  });
});
