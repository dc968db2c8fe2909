import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginLimiter } from '../../api/auth/login-limiter.js';

describe('LoginLimiter', () => {
  const steps: Array<[string, Array<['fail' | 'wait', string, number]>, string, number]> = [
    [
      'lets an address try below the limit',
      [
        ['fail', 'a', 0],
        ['fail', 'a', 0],
      ],
      'a',
      0,
    ],
    [
      'stops an address at the limit',
      [
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['fail', 'a', 0],
      ],
      'a',
      60,
    ],
    [
      'counts addresses apart',
      [
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['fail', 'a', 0],
      ],
      'b',
      0,
    ],
    [
      'tells how long is left',
      [
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['wait', '', 45_500],
      ],
      'a',
      15,
    ],
    [
      'forgets after the window',
      [
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['wait', '', 60_000],
      ],
      'a',
      0,
    ],
    [
      'starts a new window after one ended',
      [
        ['fail', 'a', 0],
        ['fail', 'a', 0],
        ['wait', '', 61_000],
        ['fail', 'a', 0],
      ],
      'a',
      0,
    ],
  ];
  for (const [title, actions, address, expected] of steps) {
    it(`${title}`, () => {
      let now = 1_000_000;
      const limiter = new LoginLimiter(3, 60_000, 100, () => now);
      for (const [action, who, ms] of actions) {
        if (action === 'fail') limiter.recordFailure(who);
        else now += ms;
      }
      assert.equal(limiter.retryAfterSeconds(address), expected);
    });
  }

  it('bounds – its memory by forgetting the least recently used key', () => {
    const limiter = new LoginLimiter(1, 60_000, 2);
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    assert.ok(limiter.retryAfterSeconds('a') > 0);
    limiter.recordFailure('c');
    assert.equal(limiter.retryAfterSeconds('b'), 0, 'b was the least recently used');
    assert.ok(limiter.retryAfterSeconds('a') > 0);
    assert.ok(limiter.retryAfterSeconds('c') > 0);
  });

  it('forgets – a key after a successful login', () => {
    const limiter = new LoginLimiter(2, 60_000);
    limiter.recordFailure('a');
    limiter.recordSuccess('a');
    limiter.recordFailure('a');
    assert.equal(limiter.retryAfterSeconds('a'), 0);
  });
});
