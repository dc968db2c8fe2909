import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { RegistryInput, RegistryPing, RegistryUpdate, parseInput } from '../../policies/index.js';

const valid = {
  name: 'hq',
  url: 'https://registry.example:5000',
  type: 'docker-registry',
  credential: { type: 'basic', access_key: 'admin', access_secret: 's3cret-value' },
};

function fieldOf(schema: Parameters<typeof parseInput>[0], body: unknown): string | undefined {
  try {
    parseInput(schema, body);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    assert.ok(!error.message.includes('s3cret-value'), 'the message repeats the secret');
    return error.field;
  }
}

describe('RegistryInput', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['a Harbor registry', valid, undefined],
    [
      "anonymous as Harbor's UI sends it",
      { ...valid, credential: { type: 'basic', access_key: '', access_secret: '' } },
      undefined,
    ],
    [
      'a docker config credential',
      { ...valid, credential: { type: 'docker_config', config_path: '/root/.docker/config.json' } },
      undefined,
    ],
    ['a webhook secret', { ...valid, webhook_secret: 'a-long-webhook-secret' }, undefined],
    [
      'a copied GET body',
      { ...valid, id: 3, status: 'healthy', creation_time: 'x', update_time: 'y' },
      undefined,
    ],
    ['no name', { ...valid, name: undefined }, 'name'],
    ['no url', { ...valid, url: undefined }, 'url'],
    ['a url with a path', { ...valid, url: 'https://registry.example/v2/' }, 'url'],
    ['a url with credentials', { ...valid, url: 'https://user:s3cret-value@registry.example' }, 'url'],
    ['a ftp url', { ...valid, url: 'ftp://registry.example' }, 'url'],
    ['an unknown type', { ...valid, type: 'aws-ecr' }, 'type'],
    [
      'an oauth credential',
      { ...valid, credential: { ...valid.credential, type: 'oauth' } },
      'credential.type',
    ],
    [
      'a secret that is a number',
      { ...valid, credential: { ...valid.credential, access_secret: 5 } },
      'credential.access_secret',
    ],
    ['a short webhook secret', { ...valid, webhook_secret: 'short' }, 'webhook_secret'],
    ['a CA that is not PEM', { ...valid, ca_certificate: 'hello' }, 'ca_certificate'],
    ['insecure as a string', { ...valid, insecure: 'yes' }, 'insecure'],
    ['an unknown field', { ...valid, password: 's3cret-value' }, 'password'],
  ];
  for (const [title, body, field] of cases) {
    it(`${field ? 'refuses' : 'accepts'} – ${title}`, () => {
      assert.equal(fieldOf(RegistryInput, body), field);
    });
  }
});

describe('RegistryUpdate', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    [
      "Harbor's flat update",
      { name: 'x', credential_type: 'basic', access_key: 'a', access_secret: 'b' },
      undefined,
    ],
    ['nulls for unchanged fields', { name: null, url: null, access_secret: null }, undefined],
    ['the nested credential', { credential: valid.credential }, undefined],
    ['an empty body', {}, undefined],
    ['a bad url', { url: 'registry' }, 'url'],
    ['an unknown credential type', { credential_type: 'secret' }, 'credential_type'],
  ];
  for (const [title, body, field] of cases) {
    it(`${field ? 'refuses' : 'accepts'} – ${title}`, () => {
      assert.equal(fieldOf(RegistryUpdate, body), field);
    });
  }
});

describe('RegistryPing', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['a stored registry by id', { id: 1 }, undefined],
    [
      'a new registry by url',
      { url: 'http://127.0.0.1:5000', access_key: 'a', access_secret: 'b' },
      undefined,
    ],
    ['an id that is a string', { id: 'one' }, 'id'],
    ['an unknown field', { name: 'x' }, 'name'],
  ];
  for (const [title, body, field] of cases) {
    it(`${field ? 'refuses' : 'accepts'} – ${title}`, () => {
      assert.equal(fieldOf(RegistryPing, body), field);
    });
  }
});
