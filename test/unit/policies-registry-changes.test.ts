import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors/regatta-error.js';
import {
  applyRegistryUpdate,
  registryFromInput,
  type RegistryDefinition,
  type RegistryUpdate,
} from '../../policies/index.js';

const stored: RegistryDefinition = {
  name: 'hq',
  url: 'https://hq.example',
  type: 'docker-registry',
  description: '',
  insecure: false,
  ca_certificate: null,
  credential: { type: 'basic', access_key: 'robot', access_secret: 'old-secret' },
  webhook_secret: 'old-webhook-secret-value',
  max_connections: 8,
  max_requests_in_flight: null,
};

describe('registryFromInput', () => {
  it('normalizes – the url, defaults and an anonymous credential', () => {
    assert.deepEqual(
      registryFromInput({
        name: 'site',
        url: 'http://site.example:5000/',
        credential: { type: 'basic', access_key: '', access_secret: '' },
        ca_certificate: '',
      }),
      {
        name: 'site',
        url: 'http://site.example:5000',
        type: 'docker-registry',
        description: '',
        insecure: false,
        ca_certificate: null,
        credential: null,
        webhook_secret: null,
        max_connections: null,
        max_requests_in_flight: null,
      },
    );
  });

  it('limits – kept as given; 0 means no limit', () => {
    const limited = registryFromInput({
      name: 's',
      url: 'http://s',
      max_connections: 4,
      max_requests_in_flight: 0,
    });
    assert.deepEqual([limited.max_connections, limited.max_requests_in_flight], [4, null]);
  });

  const refused: Array<[string, Parameters<typeof registryFromInput>[0], string]> = [
    [
      'a masked secret with nothing stored',
      { name: 'a', url: 'http://a', credential: { type: 'basic', access_key: 'u', access_secret: '*****' } },
      'credential.access_secret',
    ],
    [
      'a secret without a key',
      { name: 'a', url: 'http://a', credential: { type: 'basic', access_key: '', access_secret: 'pw' } },
      'credential.access_key',
    ],
    ['a masked webhook secret', { name: 'a', url: 'http://a', webhook_secret: '*****' }, 'webhook_secret'],
  ];
  for (const [title, input, field] of refused) {
    it(`refuses – ${title}, naming ${field}`, () => {
      assert.throws(
        () => registryFromInput(input),
        (error: unknown) => error instanceof InvalidInputError && error.field === field,
      );
    });
  }
});

describe('applyRegistryUpdate', () => {
  const cases: Array<[string, RegistryUpdate, Partial<RegistryDefinition>]> = [
    ['an empty update changes nothing', {}, {}],
    ['nulls change nothing', { name: null, url: null, access_secret: null, credential: null }, {}],
    ['a new name', { name: 'hq2' }, { name: 'hq2' }],
    [
      "Harbor's flat secret",
      { access_secret: 'new-secret' },
      { credential: { type: 'basic', access_key: 'robot', access_secret: 'new-secret' } },
    ],
    [
      'the flat mask keeps the secret',
      { access_key: 'robot2', access_secret: '*****' },
      { credential: { type: 'basic', access_key: 'robot2', access_secret: 'old-secret' } },
    ],
    [
      'the nested mask keeps the secret',
      { credential: { type: 'basic', access_key: 'r', access_secret: '*****' } },
      { credential: { type: 'basic', access_key: 'r', access_secret: 'old-secret' } },
    ],
    [
      'empty key and secret remove the credential',
      { access_key: '', access_secret: '' },
      { credential: null },
    ],
    [
      'a docker config credential',
      { credential: { type: 'docker_config', config_path: '/c.json' } },
      { credential: { type: 'docker_config', config_path: '/c.json' } },
    ],
    ['the webhook mask keeps the secret', { webhook_secret: '*****' }, {}],
    ['an empty webhook secret removes it', { webhook_secret: '' }, { webhook_secret: null }],
    ['an empty CA removes it', { ca_certificate: '' }, { ca_certificate: null }],
    ['insecure false is a change', { insecure: true }, { insecure: true }],
    ['a new connection limit', { max_connections: 2 }, { max_connections: 2 }],
    ['0 removes a connection limit', { max_connections: 0 }, { max_connections: null }],
    ['a null limit is unchanged', { max_connections: null }, {}],
    ['a limit on requests in flight', { max_requests_in_flight: 3 }, { max_requests_in_flight: 3 }],
  ];
  for (const [title, update, changes] of cases) {
    it(`applies – ${title}`, () => {
      assert.deepEqual(applyRegistryUpdate(stored, update), { ...stored, ...changes });
    });
  }

  it('refuses – a flat mask when no secret is stored, naming access_secret', () => {
    assert.throws(
      () => applyRegistryUpdate({ ...stored, credential: null }, { access_key: 'u', access_secret: '*****' }),
      (error: unknown) => error instanceof InvalidInputError && error.field === 'access_secret',
    );
  });

  // A stored secret is only ever sent to the origin it was stored for.
  const moves: Array<[string, RegistryUpdate, Partial<RegistryDefinition> | string]> = [
    ['a new host without a secret', { url: 'https://evil.example' }, 'access_secret'],
    ['a new port without a secret', { url: 'https://hq.example:5000' }, 'access_secret'],
    ['https to http without a secret', { url: 'http://hq.example', insecure: true }, 'access_secret'],
    [
      'a new host with the flat mask',
      { url: 'https://evil.example', access_secret: '*****' },
      'access_secret',
    ],
    [
      'a new host with the flat key only',
      { url: 'https://evil.example', access_key: 'robot' },
      'access_secret',
    ],
    [
      'a new host with the nested mask',
      {
        url: 'https://evil.example',
        credential: { type: 'basic', access_key: 'robot', access_secret: '*****' },
      },
      'credential.access_secret',
    ],
    [
      'a new host with a new flat secret',
      { url: 'https://dr.example', access_secret: 'dr-secret' },
      {
        url: 'https://dr.example',
        credential: { type: 'basic', access_key: 'robot', access_secret: 'dr-secret' },
      },
    ],
    [
      'a new host with a new nested secret',
      {
        url: 'https://dr.example',
        credential: { type: 'basic', access_key: 'r', access_secret: 'dr-secret' },
      },
      {
        url: 'https://dr.example',
        credential: { type: 'basic', access_key: 'r', access_secret: 'dr-secret' },
      },
    ],
    [
      'a new host that drops the credential',
      { url: 'https://dr.example', access_key: '', access_secret: '' },
      { url: 'https://dr.example', credential: null },
    ],
    [
      'a new host with a Docker config',
      { url: 'https://dr.example', credential: { type: 'docker_config', config_path: 'c.json' } },
      { url: 'https://dr.example', credential: { type: 'docker_config', config_path: 'c.json' } },
    ],
    ['the same origin written otherwise', { url: 'HTTPS://HQ.example:443/' }, { url: 'https://hq.example' }],
    ['the same origin with the mask', { url: 'https://hq.example', access_secret: '*****' }, {}],
  ];
  for (const [title, update, expected] of moves) {
    it(`origin – ${title}: ${typeof expected === 'string' ? `refused, naming ${expected}` : 'applied'}`, () => {
      if (typeof expected !== 'string') {
        assert.deepEqual(applyRegistryUpdate(stored, update), { ...stored, ...expected });
        return;
      }
      assert.throws(
        () => applyRegistryUpdate(stored, update),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.equal(error.field, expected);
          assert.match(error.message, /send the secret again/);
          assert.doesNotMatch(error.message, /old-secret/);
          return true;
        },
      );
    });
  }

  it('origin – an anonymous registry moves freely', () => {
    assert.equal(
      applyRegistryUpdate({ ...stored, credential: null }, { url: 'https://dr.example' }).url,
      'https://dr.example',
    );
  });
});
