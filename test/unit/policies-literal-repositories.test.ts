import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { literalRepositories, type ReplicationFilter } from '../../policies/index.js';

const name = (value: string, extra: Partial<Extract<ReplicationFilter, { type: 'name' }>> = {}) =>
  ({ type: 'name', value, ...extra }) as ReplicationFilter;
const tag = (value: string) => ({ type: 'tag', value }) as ReplicationFilter;

describe('literalRepositories', () => {
  const cases: Array<[string, ReplicationFilter[], string[] | undefined]> = [
    ['one name', [name('library/nginx')], ['library/nginx']],
    ['a one-component name', [name('nginx')], ['nginx']],
    ['a brace list', [name('{library/redis,library/nginx}')], ['library/nginx', 'library/redis']],
    ['a brace list inside a path', [name('library/{nginx,redis}')], ['library/nginx', 'library/redis']],
    ['nested braces', [name('{a/{b,c},d}')], ['a/b', 'a/c', 'd']],
    ['a name and a tag filter', [name('library/nginx'), tag('1.*')], ['library/nginx']],
    ['several name filters: what they have in common', [name('{a,b}'), name('{b,c}')], ['b']],
    ['several name filters naming different ones: nothing', [name('a'), name('b')], []],
    ['a name and a pattern', [name('library/nginx'), name('library/*')], ['library/nginx']],
    ['a name the pattern rules out', [name('library/nginx'), name('other/*')], []],
    ['a name excluded', [name('{a,b}'), name('b', { decoration: 'excludes' })], ['a']],
    [
      'a pattern excluded from a brace list',
      [name('{a/x,b/x}'), name('a/**', { decoration: 'excludes' })],
      ['b/x'],
    ],
    ['a glob', [name('library/*')], undefined],
    ['a doublestar', [name('production/**')], undefined],
    ['a character class', [name('librar[y]/nginx')], undefined],
    ['a question mark', [name('library/ngin?')], undefined],
    ['an empty value (everything)', [name('')], undefined],
    ['no name filter', [tag('latest')], undefined],
    ['no filter', [], undefined],
    ['an exclusion only', [name('library/nginx', { decoration: 'excludes' })], undefined],
    ['a regular expression', [name('^library/nginx$', { syntax: 'regex' })], undefined],
    ['one brace element (not expanded)', [name('{a}')], undefined],
    ['an uppercase name (not a repository name)', [name('Library/Nginx')], undefined],
    [
      'a brace list of more than 1,000',
      [name('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}{s,t}{u,v}')],
      undefined,
    ],
  ];
  for (const [title, filters, expected] of cases) {
    it(`${expected ? 'names' : 'needs the catalog'} – ${title}`, () => {
      assert.deepEqual(literalRepositories(filters), expected);
    });
  }
});
