import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { parseListParams } from '../../api/list-params.js';
import { policyListFields } from '../../store/index.js';

const request = (query: Record<string, string | string[]>) => ({ query }) as unknown as Request;

describe('parseListParams', () => {
  const parsed: Array<[string, Record<string, string | string[]>, object]> = [
    ['defaults', {}, { exact: [], fuzzy: [], sort: [], page: 1, pageSize: 10 }],
    ['page and page_size', { page: '3', page_size: '100' }, { page: 3, pageSize: 100 }],
    ['an exact string', { q: 'name=sync' }, { exact: [{ field: 'name', value: 'sync' }] }],
    ['a quoted exact string', { q: 'name="a b"' }, { exact: [{ field: 'name', value: 'a b' }] }],
    ['a fuzzy match', { q: 'name=~dr' }, { fuzzy: [{ field: 'name', value: 'dr' }] }],
    [
      'typed values',
      { q: 'enabled=true,id=7' },
      {
        exact: [
          { field: 'enabled', value: true },
          { field: 'id', value: 7 },
        ],
      },
    ],
    ['a value with =', { q: 'name=a=b' }, { exact: [{ field: 'name', value: 'a=b' }] }],
    [
      'sorting',
      { sort: 'name,-creation_time' },
      {
        sort: [
          { field: 'name', descending: false },
          { field: 'creation_time', descending: true },
        ],
      },
    ],
    ['the deprecated name', { name: 'x' }, { fuzzy: [{ field: 'name', value: 'x' }] }],
    ['empty q and sort', { q: '', sort: '' }, { exact: [], sort: [] }],
  ];
  for (const [title, query, expected] of parsed) {
    it(`reads – ${title}`, () => {
      const result = parseListParams(request(query), policyListFields);
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(result[key as keyof typeof result], value, key);
    });
  }

  const refused: Array<[string, Record<string, string | string[]>, string]> = [
    ['page 0', { page: '0' }, 'page'],
    ['a page that is not a number', { page: 'two' }, 'page'],
    ['page_size over 100', { page_size: '101' }, 'page_size'],
    ['page given twice', { page: ['1', '2'] }, 'page'],
    ['an unknown q field', { q: 'secret=x' }, 'q'],
    ['a range', { q: 'id=[1~5]' }, 'q'],
    ['a list', { q: 'name={a b}' }, 'q'],
    ['a term without =', { q: 'name' }, 'q'],
    ['a boolean that is not', { q: 'enabled=yes' }, 'q'],
    ['a number that is not', { q: 'id=seven' }, 'q'],
    ['an unknown sort field', { sort: '-password' }, 'sort'],
    ['a prototype key', { q: 'constructor=x' }, 'q'],
    ['empty terms', { q: ',,' }, 'q'],
    ['a space before a term', { q: ' name=x' }, 'q'],
    ['an empty sort field', { sort: 'name,' }, 'sort'],
    ['a page past the last one', { page: '1000001' }, 'page'],
  ];
  for (const [title, query, field] of refused) {
    it(`refuses – ${title}, naming ${field}`, () => {
      assert.throws(
        () => parseListParams(request(query), policyListFields),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.field === field &&
          error.message.startsWith(`${field}: `),
      );
    });
  }
});
