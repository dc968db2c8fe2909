import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { destinationRepository } from '../../policies/index.js';

describe('destinationRepository', () => {
  // Harbor's own table (src/controller/replication/flow/stage.go) plus the edges.
  const cases: Array<[string, string | undefined, number | undefined, string]> = [
    ['a/b/c', 'n', -1, 'n/c'],
    ['a/b/c', 'n', undefined, 'n/c'],
    ['a/b/c', 'n', 0, 'n/a/b/c'],
    ['a/b/c', 'n', 1, 'n/b/c'],
    ['a/b/c', 'n', 2, 'n/c'],
    ['a/b/c', 'n', 3, 'n'],
    ['library/nginx', 'dr/mirror', -1, 'dr/mirror/nginx'],
    ['nginx', 'n', -1, 'n/nginx'],
    ['nginx', 'n', 1, 'n'],
    ['a/b/c', undefined, 2, 'a/b/c'],
    ['a/b/c', '', 0, 'a/b/c'],
  ];
  for (const [repository, namespace, count, expected] of cases) {
    it(`maps – ${repository} with namespace ${String(namespace)} and count ${String(count)} → ${expected}`, () => {
      assert.equal(
        destinationRepository(repository, { dest_namespace: namespace, dest_namespace_replace_count: count }),
        expected,
      );
    });
  }

  it('refuses – a count larger than the path, naming the field', () => {
    assert.throws(
      () => destinationRepository('a/b', { dest_namespace: 'n', dest_namespace_replace_count: 3 }),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.field === 'dest_namespace_replace_count' &&
        /2 path components/.test(error.message),
    );
  });
});
