import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges, type Challenge } from '../../registry/challenge.js';

describe('parseChallenges', () => {
  const cases: Array<[string, string, Challenge[]]> = [
    [
      'Docker bearer',
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example/token',
            service: 'registry.example',
            scope: 'repository:a/b:pull',
          },
        },
      ],
    ],
    ['basic', 'Basic realm="regatta"', [{ scheme: 'basic', params: { realm: 'regatta' } }]],
    [
      'two scopes and an error',
      'Bearer realm="r",scope="repository:a:pull repository:b:pull,push",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'r',
            scope: 'repository:a:pull repository:b:pull,push',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'two challenges',
      'Basic realm="x", Bearer realm="y", service="s"',
      [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'y', service: 's' } },
      ],
    ],
    [
      'unquoted and escaped',
      'Bearer Realm=plain, service="a\\"b"',
      [{ scheme: 'bearer', params: { realm: 'plain', service: 'a"b' } }],
    ],
    ['empty', '', []],
  ];
  for (const [name, header, expected] of cases) {
    it(`${name} – parsed`, () => assert.deepEqual(parseChallenges(header), expected));
  }
});
