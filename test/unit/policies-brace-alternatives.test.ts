import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { braceExpand } from 'minimatch';
import { braceAlternatives } from '../../policies/brace-alternatives.js';

describe('braceAlternatives', () => {
  const cases: Array<[string, number]> = [
    ['production/**', 1],
    ['{a,b}', 2],
    ['{a,b}{c,d}', 4],
    ['{a,b{c,d}}', 3],
    ['x{a,b,c}y{1,2}z', 6],
    ['{a}', 1],
    ['{a{b,c}}', 2],
    ['a{,}b', 2],
    ['{a,b', 1],
    ['a,b}', 1],
    ['\\{a,b}', 1],
    ['{a\\,b}', 1],
    ['{}', 1],
    ['{{a,b},{c,d}}', 4],
    ['{a,b}'.repeat(10), 1024],
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} – ${expected}, as many as minimatch expands`, () => {
      assert.equal(braceAlternatives(pattern), expected);
      assert.equal(braceExpand(pattern).length, expected);
    });
  }

  it('counts – 17 groups (131,072 patterns) without expanding them', () => {
    const started = performance.now();
    assert.equal(braceAlternatives('{a,b}'.repeat(17)), 131_072);
    assert.ok(performance.now() - started < 50);
  });
});
