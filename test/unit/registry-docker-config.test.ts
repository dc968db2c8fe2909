import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialsFromDockerConfig } from '../../registry/index.js';

const auth = (text: string) => Buffer.from(text).toString('base64');

describe('credentialsFromDockerConfig', () => {
  const config = JSON.stringify({
    auths: {
      'registry.example:5000': { auth: auth('alice:pa:ss') },
      'https://secure.example': { identitytoken: 'refresh-123' },
      'https://index.docker.io/v1/': { auth: auth('bob:hub') },
      'plain.example': { username: 'carol', password: 'pw' },
      'empty.example': {},
    },
  });
  const cases: Array<[string, string, unknown]> = [
    [
      'host:port with base64 auth (password with a colon)',
      'registry.example:5000',
      { username: 'alice', password: 'pa:ss' },
    ],
    ['URL key with an identity token', 'secure.example', { identitytoken: 'refresh-123' }],
    ['Docker Hub legacy key', 'index.docker.io', { username: 'bob', password: 'hub' }],
    ['username and password fields', 'plain.example', { username: 'carol', password: 'pw' }],
    ['entry without credentials', 'empty.example', undefined],
    ['unknown host', 'other.example', undefined],
    ['host matched case-insensitively', 'REGISTRY.example:5000', { username: 'alice', password: 'pa:ss' }],
  ];
  for (const [name, host, expected] of cases) {
    it(`${name} – found`, () => assert.deepEqual(credentialsFromDockerConfig(config, host), expected));
  }

  it('invalid input – INVALID_INPUT without echoing the content', () => {
    assert.throws(
      () => credentialsFromDockerConfig('{not json secret', 'a'),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_INPUT');
        assert.doesNotMatch(error.message, /secret/);
        return true;
      },
    );
    assert.throws(() => credentialsFromDockerConfig({ auths: { a: { auth: auth('nocolon') } } }, 'a'), {
      code: 'INVALID_INPUT',
    });
  });
});
