import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextLink } from '../../registry/link-header.js';

describe('nextLink', () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['Distribution catalog', '</v2/_catalog?last=b&n=2>; rel="next"', '/v2/_catalog?last=b&n=2'],
    ['unquoted rel', '</v2/x/tags/list?n=1&last=a>; rel=next', '/v2/x/tags/list?n=1&last=a'],
    ['among other links', '<https://a/prev>; rel="prev", <https://a/next>; rel="next"', 'https://a/next'],
    ['no next', '</v2/_catalog?last=b>; rel="prev"', undefined],
    ['absent', undefined, undefined],
  ];
  for (const [name, header, expected] of cases) {
    it(`${name} – ${expected ?? 'none'}`, () => assert.equal(nextLink(header), expected));
  }
});
