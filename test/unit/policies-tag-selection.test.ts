import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilters, selectTags, tagSelection, type ReplicationFilter } from '../../policies/index.js';

const tags = ['latest', '1.24.0', '1.25.0', '1.25.3-alpine', '1.26.1', '2.0.0', 'v1.27.0', 'nightly-2026'];
const now = new Date('2026-11-29T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
const created = new Map<string, string | undefined>([
  ['1.25.0', daysAgo(40)],
  ['1.25.3-alpine', daysAgo(20)],
  ['1.26.1', daysAgo(10)],
  ['2.0.0', daysAgo(1)],
  ['v1.27.0', undefined],
]);

describe('selectTags', () => {
  const cases: Array<[string, ReplicationFilter[], string[]]> = [
    ['no filter: every tag', [], [...tags].sort()],
    ['a Harbor glob', [{ type: 'tag', value: '1.*' }], ['1.24.0', '1.25.0', '1.25.3-alpine', '1.26.1']],
    [
      'a regular expression',
      [{ type: 'tag', value: '^v?\\d+\\.\\d+\\.\\d+$', syntax: 'regex' }],
      ['1.24.0', '1.25.0', '1.26.1', '2.0.0', 'v1.27.0'],
    ],
    [
      'a regular expression excluded',
      [{ type: 'tag', value: '-', syntax: 'regex', decoration: 'excludes' }],
      ['1.24.0', '1.25.0', '1.26.1', '2.0.0', 'latest', 'v1.27.0'],
    ],
    [
      'a semver range',
      [{ type: 'tag', value: '>=1.25.0 <2', syntax: 'semver' }],
      ['1.25.0', '1.25.3-alpine', '1.26.1', 'v1.27.0'],
    ],
    [
      'a semver range excluded',
      [{ type: 'tag', value: '<1.25', syntax: 'semver', decoration: 'excludes' }],
      ['1.25.0', '1.25.3-alpine', '1.26.1', '2.0.0', 'latest', 'nightly-2026', 'v1.27.0'],
    ],
    ['the newest 2', [{ type: 'newest', value: 2 }], ['2.0.0', 'v1.27.0']],
    [
      'the newest 2 within a range, variants left out',
      [
        { type: 'tag', value: '>=1.25.0 <2', syntax: 'semver' },
        { type: 'tag', value: '*-*', decoration: 'excludes' },
        { type: 'newest', value: 2 },
      ],
      ['1.26.1', 'v1.27.0'],
    ],
    ['created within 15 days', [{ type: 'max_age', value: '15d' }], ['1.26.1', '2.0.0']],
    [
      'created within 30 days, the newest 1',
      [
        { type: 'max_age', value: '720h' },
        { type: 'newest', value: 1 },
      ],
      ['2.0.0'],
    ],
  ];
  for (const [title, filters, expected] of cases) {
    it(`selects – ${title}`, () => {
      assert.deepEqual(selectTags(filters, 'library/nginx', tags, { created, now }), expected);
    });
  }

  it('judges – names as well: a repository the name filter leaves out has no tag selected', () => {
    const filters: ReplicationFilter[] = [{ type: 'name', value: '^library/', syntax: 'regex' }];
    assert.deepEqual(selectTags(filters, 'other/nginx', tags), []);
    assert.equal(selectTags(filters, 'library/nginx', tags).length, tags.length);
  });
});

describe('tagSelection', () => {
  it('reads – newest and max_age, which are judged on the whole list', () => {
    assert.deepEqual(
      tagSelection([
        { type: 'newest', value: 5 },
        { type: 'max_age', value: '2w' },
      ]),
      { newest: 5, maxAgeSeconds: 1_209_600 },
    );
    assert.deepEqual(tagSelection([{ type: 'tag', value: '*' }]), {});
  });
  it('lets through – newest and max_age when one tag is judged alone (a webhook event)', () => {
    const filters: ReplicationFilter[] = [
      { type: 'newest', value: 1 },
      { type: 'max_age', value: '1s' },
    ];
    assert.equal(matchesFilters(filters, { repository: 'a', tag: 'old' }), true);
  });
});
