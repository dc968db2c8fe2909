import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  matchesFilters,
  registryInfo,
  ReplicationFilter,
  type FilterSubject,
  type StoredRegistry,
} from '../../policies/index.js';

const registry: StoredRegistry = {
  id: 1,
  name: 'hq',
  url: 'https://hq.example',
  type: 'harbor',
  description: 'headquarters',
  insecure: false,
  ca_certificate: null,
  credential: null,
  webhook_secret: null,
  max_connections: null,
  max_requests_in_flight: null,
  creation_time: '2026-01-01T00:00:00Z',
  update_time: '2026-01-01T00:00:00Z',
};

// What a run knows of an artifact when it applies the filters: its repository and tag.
const subject: FilterSubject = { repository: 'production/app', tag: 'v1' };

describe('registryInfo – offers exactly the filters a run judges', () => {
  const offered = registryInfo(registry).supported_resource_filters.map((filter) => filter.type);
  const excluding: Record<ReplicationFilter['type'], ReplicationFilter> = {
    name: { type: 'name', value: 'staging/**' },
    tag: { type: 'tag', value: 'v2' },
    label: { type: 'label', value: ['never-set'] },
    resource: { type: 'resource', value: 'image' },
    // Regatta's own: judged on a repository's whole tag list, which Harbor's UI does not offer.
    newest: { type: 'newest', value: 1 },
    max_age: { type: 'max_age', value: '1s' },
  };
  for (const [type, filter] of Object.entries(excluding)) {
    const judged = !matchesFilters([ReplicationFilter.parse(filter)], subject);
    it(`${type} – ${judged ? 'judged, offered' : 'lets everything through, not offered'}`, () =>
      assert.equal(offered.includes(type), judged));
  }
  it('type and description – the registry’s own', () => {
    assert.equal(registryInfo(registry).type, 'harbor');
    assert.equal(registryInfo(registry).description, 'headquarters');
  });
});
