import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRegex } from '../../policies/index.js';
import { RegexSyntaxError } from '../../policies/regex-syntax.js';

describe('compileRegex – matching', () => {
  // Search semantics, as RE2 (regsync) has them: a match anywhere unless anchored.
  const cases: Array<[string, string, boolean]> = [
    ['^v\\d+$', 'v12', true],
    ['^v\\d+$', 'v12a', false],
    ['^v\\d+$', 'xv12', false],
    ['\\d+\\.\\d+', 'release-1.25-alpine', true],
    ['alpine', '1.25.3-alpine', true],
    ['^1\\.2[5-9]\\.', '1.27.0', true],
    ['^1\\.2[5-9]\\.', '1.24.0', false],
    ['^(rc|beta)\\d*$', 'beta', true],
    ['^(?:rc|beta)\\d*$', 'rc12', true],
    ['^(rc|beta)\\d*$', 'alpha1', false],
    ['^a{2,3}$', 'aa', true],
    ['^a{2,3}$', 'aaaa', false],
    ['^a{2}$', 'aa', true],
    ['^a{2,}$', 'aaaaaaa', true],
    ['^a{2,}$', 'a', false],
    ['^[^-]+$', '1.25.3', true],
    ['^[^-]+$', '1.25.3-alpine', false],
    ['^[a-z_]\\w*$', 'latest_build', true],
    ['^\\S+$', 'a b', false],
    ['^.+-(alpine|slim)$', '3.12-slim', true],
    ['^(a|ab)*c$', 'ababac', true],
    ['(a*)*b', 'aaab', true],
    ['^a+?$', 'aaa', true],
    ['', 'anything', true],
    ['^$', '', true],
    ['x$', 'xy', false],
    ['[.]', 'a.b', true],
    ['[.]', 'ab', false],
    ['\\.', 'ab', false],
    ['^a|b$', 'xb', true],
    ['^(a|b)$', 'xb', false],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} – /${pattern}/ on "${text}"`, () => {
      assert.equal(compileRegex(pattern).test(text), expected);
    });
  }
});

describe('compileRegex – refused, with the position', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['(', 0, /never closed/],
    ['ab)', 2, /no "\("/],
    ['[ab', 0, /never closed/],
    ['a{2', 1, /repetition/],
    ['a{,2}', 1, /repetition/],
    ['a{3,2}', 1, /ends before it starts/],
    ['*a', 0, /nothing to repeat/],
    ['a|+', 2, /nothing to repeat/],
    ['(a)\\1', 3, /backreferences/],
    ['v(?=1)', 1, /lookaround/],
    ['(?i)abc', 0, /flags/],
    ['a\\b', 1, /word boundaries/],
    ['\\q', 0, /unknown escape/],
    ['[z-a]', 2, /ends before it starts/],
    ['^*', 0, /anchor cannot be repeated/],
    ['a{1001}', 2, /above 1000/],
    ['ab\\', 2, /at the end/],
    ['x'.repeat(256), 255, /longer than 255/],
  ];
  for (const [pattern, position, reason] of cases) {
    it(`refuses – /${pattern.slice(0, 20)}/ at ${position}`, () => {
      assert.throws(
        () => compileRegex(pattern),
        (error: unknown) =>
          error instanceof RegexSyntaxError &&
          error.position === position &&
          reason.test(error.message) &&
          error.message.startsWith(`at position ${position}: `),
      );
    });
  }

  it('refuses – a pattern that expands past the state bound', () => {
    assert.throws(() => compileRegex('(a{1000}){1000}'), /more than 10000 states/);
  });
});

describe('compileRegex – time', () => {
  // What backtracks exponentially in JavaScript's RegExp: 2^28 steps there, a few thousand here.
  const catastrophic = ['(a+)+$', '(a|a)*$', '(a*)*$', '^(a|aa)+$', '(.*a){20}$'];
  for (const pattern of catastrophic) {
    it(`is linear – /${pattern}/ on 28 a's and a b`, () => {
      const text = `${'a'.repeat(28)}b`;
      const started = performance.now();
      compileRegex(pattern).test(text);
      assert.ok(performance.now() - started < 250, `took ${performance.now() - started} ms`);
    });
  }
});
