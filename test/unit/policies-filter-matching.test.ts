import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  matchesFilters,
  matchesNameFilter,
  type FilterSubject,
  type ReplicationFilter,
} from '../../policies/index.js';

describe('matchesNameFilter', () => {
  // Harbor's documented examples first, then doublestar's edges.
  const cases: Array<[string, string, boolean]> = [
    ['library/*', 'library/hello-world', true],
    ['library/*', 'library/my/hello-world', false],
    ['library/**', 'library/hello-world', true],
    ['library/**', 'library/my/hello-world', true],
    ['{library,goharbor}/**', 'library/hello-world', true],
    ['{library,goharbor}/**', 'goharbor/harbor-core/dev', true],
    ['{library,goharbor}/**', 'other/hello-world', false],
    ['1.?', '1.0', true],
    ['1.?', '1.10', false],
    ['v2.[4-7].*', 'v2.5.1', true],
    ['v2.[4-7].*', 'v2.8.1', false],
    ['**', 'a/b/c', true],
    ['*', 'a/b', false],
    ['*', '.hidden', true],
    ['', 'anything/at/all', true],
    ['production/**', 'production/web', true],
    ['production/**', 'staging/web', false],
    ['!production', '!production', true],
    ['!production', 'staging', false],
    ['+(a|b)', 'a', false],
    ['#latest', '#latest', true],
    ['lat?st', 'latest', true],
    ['[!a]*', 'beta', true],
    ['[!a]*', 'alpha', false],
  ];
  for (const [pattern, name, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} – "${pattern}" on "${name}"`, () => {
      assert.equal(matchesNameFilter(pattern, name), expected);
    });
  }
});

describe('matchesFilters', () => {
  const name = (value: string, decoration?: 'matches' | 'excludes'): ReplicationFilter => ({
    type: 'name',
    value,
    ...(decoration ? { decoration } : {}),
  });
  const tag = (value: string, decoration?: 'matches' | 'excludes'): ReplicationFilter => ({
    type: 'tag',
    value,
    ...(decoration ? { decoration } : {}),
  });
  const label = (value: string[], decoration?: 'matches' | 'excludes'): ReplicationFilter => ({
    type: 'label',
    value,
    ...(decoration ? { decoration } : {}),
  });
  const resource = (value: 'image' | 'artifact'): ReplicationFilter => ({ type: 'resource', value });

  const cases: Array<[string, ReplicationFilter[], FilterSubject, boolean]> = [
    ['no filters', [], { repository: 'a/b', tag: 'x' }, true],
    ['name matches', [name('production/**')], { repository: 'production/web' }, true],
    ['name excludes', [name('production/**', 'excludes')], { repository: 'production/web' }, false],
    ['name excludes others', [name('production/**', 'excludes')], { repository: 'dev/web' }, true],
    ['tag matches', [tag('v2.[4-7].*')], { repository: 'a', tag: 'v2.4.0' }, true],
    ['tag excludes', [tag('*-rc*', 'excludes')], { repository: 'a', tag: '1.0-rc1' }, false],
    ['tag not judged without a tag', [tag('1.?')], { repository: 'a' }, true],
    ['all must match', [name('a/**'), tag('1.?')], { repository: 'a/b', tag: '2.0' }, false],
    ['all match', [name('a/**'), tag('1.?')], { repository: 'a/b', tag: '1.0' }, true],
    [
      'labels all present',
      [label(['prod', 'signed'])],
      { repository: 'a', labels: ['signed', 'prod', 'x'] },
      true,
    ],
    ['labels one missing', [label(['prod', 'signed'])], { repository: 'a', labels: ['prod'] }, false],
    ['labels excluded', [label(['wip'], 'excludes')], { repository: 'a', labels: ['wip'] }, false],
    ['labels none excluded', [label(['wip'], 'excludes')], { repository: 'a', labels: ['prod'] }, true],
    ['labels not judged without labels', [label(['prod'])], { repository: 'a' }, true],
    ['resource image on image', [resource('image')], { repository: 'a', kind: 'image' }, true],
    ['resource image on artifact', [resource('image')], { repository: 'a', kind: 'artifact' }, false],
    ['resource artifact on image', [resource('artifact')], { repository: 'a', kind: 'image' }, true],
    ['resource not judged without kind', [resource('image')], { repository: 'a' }, true],
  ];
  for (const [title, filters, subject, expected] of cases) {
    it(`${expected ? 'lets through' : 'stops'} – ${title}`, () => {
      assert.equal(matchesFilters(filters, subject), expected);
    });
  }
});
