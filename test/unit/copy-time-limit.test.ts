import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyTimeLimitMs } from '../../contract/index.js';

const MiB = 1024 * 1024;
const minutes = (ms: number) => ms / 60_000;

describe('copyTimeLimitMs', () => {
  const cases: Array<[string, number, number | undefined, number]> = [
    ['nothing to move: the requests’ base time', 0, undefined, 10],
    ['1 GiB uncapped: at 1 MiB/s, twice over', 1024 * MiB, undefined, 10 + (2 * 1024) / 60],
    [
      '1 GiB at a 100 KiB/s cap: hours, not the 2 h of old',
      1024 * MiB,
      100 * 1024,
      10 + (2 * 1024 * 10.24) / 60,
    ],
    ['a cap of 0 is no cap', 100 * MiB, 0, 10 + 200 / 60],
  ];
  for (const [name, bytes, rate, expected] of cases) {
    it(name, () => assert.ok(Math.abs(minutes(copyTimeLimitMs(bytes, rate)) - expected) < 0.01));
  }

  it('grows with size and shrinks with a faster cap', () => {
    assert.ok(copyTimeLimitMs(2 * MiB, 1000) > copyTimeLimitMs(MiB, 1000));
    assert.ok(copyTimeLimitMs(MiB, 2000) < copyTimeLimitMs(MiB, 1000));
  });
});
