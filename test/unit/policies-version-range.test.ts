import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestTags, tagSatisfies } from '../../policies/index.js';
import { assertVersionRange, VersionRangeError } from '../../policies/version-range.js';

describe('tagSatisfies', () => {
  const cases: Array<[string, string, boolean]> = [
    ['1.25.0', '>=1.25.0 <2', true],
    ['1.24.9', '>=1.25.0 <2', false],
    ['2.0.0', '>=1.25.0 <2', false],
    ['v1.26.1', '>=1.25.0 <2', true],
    // A suffix reads as a prerelease and counts: an image's variants follow its version.
    ['1.25.3-alpine', '>=1.25.0 <2', true],
    ['2.0.0-rc1', '>=1.25.0 <2', false],
    ['latest', '*', false],
    ['1.25', '>=1', false],
    ['1.2.3', '^1.2 || ~2.0', true],
    ['2.0.7', '^1.2 || ~2.0', true],
    ['2.1.0', '^1.2 || ~2.0', false],
    ['1.3.0', '1.2.3 - 1.4', true],
  ];
  for (const [tag, range, expected] of cases) {
    it(`${expected ? 'in' : 'out'} – ${tag} for "${range}"`, () => {
      assert.equal(tagSatisfies(tag, range), expected);
    });
  }
});

describe('newestTags', () => {
  it('picks – the highest versions, highest first, leaving out tags that are no version', () => {
    const tags = ['1.2.3', 'latest', '1.10.0', '1.9.9', '1.10.0-alpine', 'stable', '0.9.0'];
    assert.deepEqual(newestTags(tags, 3), ['1.10.0', '1.10.0-alpine', '1.9.9']);
  });
  it('picks – all versions when fewer than asked', () => {
    assert.deepEqual(newestTags(['2.0.0', 'latest', '1.0.0'], 5), ['2.0.0', '1.0.0']);
  });
  it('orders – two spellings of one version by name', () => {
    assert.deepEqual(newestTags(['v1.0.0', '1.0.0'], 2), ['1.0.0', 'v1.0.0']);
  });
});

describe('assertVersionRange', () => {
  for (const range of ['>=1.25.0 <2', '>= 1.25.0 < 2', '^1.2 || ~2.0', '1.2.3 - 1.4', '1.x', '*']) {
    it(`accepts – "${range}"`, () => assert.doesNotThrow(() => assertVersionRange(range)));
  }
  const refused: Array<[string, number]> = [
    ['abc', 0],
    ['>=1.25.0 <2x', 9],
    ['>=1.2 || foo', 9],
    ['>=', 0],
    ['1.2.3 --', 6],
  ];
  for (const [range, position] of refused) {
    it(`refuses – "${range}" at ${position}`, () => {
      assert.throws(
        () => assertVersionRange(range),
        (error: unknown) => error instanceof VersionRangeError && error.position === position,
      );
    });
  }
});
