import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryApi, type RegistryApi } from '../../policies/index.js';
import type { RegistryType } from '../../policies/index.js';

describe('registryApi', () => {
  const cases: Array<[RegistryType, string, RegistryApi]> = [
    ['docker-registry', 'https://hq.example:5000', { url: 'https://hq.example:5000' }],
    ['harbor', 'https://harbor.example', { url: 'https://harbor.example' }],
    // Harbor's UI fills in the website; the registry API is elsewhere.
    [
      'docker-hub',
      'https://hub.docker.com',
      { url: 'https://registry-1.docker.io', singleNameNamespace: 'library' },
    ],
    [
      'docker-hub',
      'https://docker.io',
      { url: 'https://registry-1.docker.io', singleNameNamespace: 'library' },
    ],
    [
      'docker-hub',
      'https://index.docker.io',
      { url: 'https://registry-1.docker.io', singleNameNamespace: 'library' },
    ],
    [
      'docker-hub',
      'https://registry-1.docker.io',
      { url: 'https://registry-1.docker.io', singleNameNamespace: 'library' },
    ],
    // A Docker Hub mirror at its own address keeps it, and Docker Hub's names.
    ['docker-hub', 'http://127.0.0.1:5000', { url: 'http://127.0.0.1:5000', singleNameNamespace: 'library' }],
    ['docker-registry', 'https://hub.docker.com', { url: 'https://hub.docker.com' }],
  ];
  for (const [type, url, expected] of cases) {
    it(`reaches – ${type} at ${url}`, () => assert.deepEqual(registryApi({ type, url }), expected));
  }
});
