import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertRepositoryName,
  isDigest,
  isRepositoryName,
  isTag,
  parseReference,
  referrersTag,
} from '../../oci/index.js';

const hex = 'a'.repeat(64);

describe('OCI grammar', () => {
  const repositories: Array<[string, boolean]> = [
    ['nginx', true],
    ['library/nginx', true],
    ['a/b/c/d', true],
    ['my-app', true],
    ['my__app', true],
    ['my.app', true],
    ['a--b', true],
    ['Upper', false],
    ['-leading', false],
    ['trailing-', false],
    ['a//b', false],
    ['/abs', false],
    ['a/../b', false],
    ['a?b', false],
    ['a b', false],
    ['', false],
    ['a'.repeat(256), false],
  ];
  for (const [name, valid] of repositories) {
    it(`repository "${name.slice(0, 20)}" – ${valid ? 'valid' : 'invalid'}`, () =>
      assert.equal(isRepositoryName(name), valid));
  }

  const tags: Array<[string, boolean]> = [
    ['latest', true],
    ['v1.2.3', true],
    ['_x', true],
    ['A-b_c.d', true],
    ['.hidden', false],
    ['-x', false],
    ['a/b', false],
    ['a:b', false],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
  ];
  for (const [tag, valid] of tags) {
    it(`tag "${tag.slice(0, 20)}" – ${valid ? 'valid' : 'invalid'}`, () => assert.equal(isTag(tag), valid));
  }

  const digests: Array<[string, boolean]> = [
    [`sha256:${hex}`, true],
    [`sha512:${'b'.repeat(128)}`, true],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${hex.slice(1)}`, false],
    [`md5:${'a'.repeat(32)}`, false],
    [hex, false],
    [`sha256:${hex}/../x`, false],
  ];
  for (const [digest, valid] of digests) {
    it(`digest "${digest.slice(0, 14)}…" – ${valid ? 'valid' : 'invalid'}`, () =>
      assert.equal(isDigest(digest), valid));
  }

  it('parseReference – tells tags from digests and names the field when neither', () => {
    assert.deepEqual(parseReference('v1'), { kind: 'tag', tag: 'v1' });
    assert.deepEqual(parseReference(`sha256:${hex}`), { kind: 'digest', digest: `sha256:${hex}` });
    assert.throws(() => parseReference('../etc', 'source.reference'), {
      code: 'INVALID_INPUT',
      field: 'source.reference',
    });
  });

  it('assertRepositoryName – a URL-breaking name is refused before any request', () => {
    assert.throws(() => assertRepositoryName('a/../../v2/_catalog'), { code: 'INVALID_INPUT' });
  });

  it('referrersTag – sha256-<hex>', () => assert.equal(referrersTag(`sha256:${hex}`), `sha256-${hex}`));
});
