import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { RegistryFacts, RegistryList } from '../../console/views/registry-views.js';
import { registryFromInput, type StoredRegistry } from '../../policies/index.js';

const registry: StoredRegistry = {
  ...registryFromInput({ name: 'dc-a', url: 'https://dc-a.example:5000' }),
  id: 2,
  creation_time: '2026-01-01T00:00:00.000Z',
  update_time: '2026-01-01T00:00:00.000Z',
};

const viewer = {
  id: 'id',
  user: { name: 'viewer', role: 'viewer' as const },
  csrfToken: 'csrf-token',
  createdAt: 0,
  lastSeenAt: 0,
};

describe('registry views', () => {
  const cases: Array<[string, Partial<StoredRegistry>, string]> = [
    ['no limit', {}, '–'],
    [
      'both limits',
      { max_connections: 4, max_requests_in_flight: 2 },
      'connections: 4, requests in flight: 2',
    ],
    ['connections only', { max_connections: 8 }, 'connections: 8'],
    ['requests in flight only', { max_requests_in_flight: 1 }, 'requests in flight: 1'],
  ];
  for (const [name, limits, shown] of cases) {
    it(`limits – ${name}: "${shown}" in the list and the facts`, () => {
      const limited = { ...registry, ...limits };
      const cells = renderToString(h(RegistryList, { registries: [limited], session: viewer })).match(
        /<td>[^<]*<\/td>/g,
      );
      assert.equal(cells?.at(-1), `<td>${shown}</td>`);
      assert.match(
        renderToString(h(RegistryFacts, { registry: limited })),
        new RegExp(`<dt>Limits per worker</dt><dd>${shown}</dd>`),
      );
    });
  }
});
