import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges, tokenRealm, type Challenge } from '../../registry/challenge.js';

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

describe('tokenRealm – where a Bearer challenge may send the registry credentials', () => {
  const cases: Array<[string, string, string, string | RegExp]> = [
    [
      'https realm on another host',
      'https://auth.example/token?x=1',
      'https://registry.example',
      'https://auth.example/token?x=1',
    ],
    [
      'http realm for an http registry',
      'http://127.0.0.1:9/token',
      'http://127.0.0.1:5000',
      'http://127.0.0.1:9/token',
    ],
    [
      'https realm for an http registry',
      'https://auth.example/t',
      'http://registry.example',
      'https://auth.example/t',
    ],
    [
      'http realm for an https registry',
      'http://auth.example/token',
      'https://registry.example',
      /plain HTTP/,
    ],
    [
      'http realm on loopback for an https registry',
      'http://127.0.0.1/token',
      'https://127.0.0.1:5000',
      /plain HTTP/,
    ],
    ['a relative realm', '/token', 'https://registry.example', /absolute URL/],
    ['a file realm', 'file:///etc/passwd', 'https://registry.example', /not http/],
    [
      'a realm with credentials',
      'https://u:p@auth.example/token',
      'https://registry.example',
      /user name or password/,
    ],
  ];
  for (const [name, realm, registry, expected] of cases) {
    it(`${name} – ${typeof expected === 'string' ? 'accepted' : 'refused'}`, () => {
      const result = tokenRealm(realm, registry);
      if (typeof expected === 'string') assert.equal(String(result), expected);
      else assert.match(typeof result === 'string' ? result : `accepted ${String(result)}`, expected);
    });
  }
});
