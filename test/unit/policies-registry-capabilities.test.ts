import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  matchesFilters,
  RegistryType,
  registryInfo,
  registryProviderInfos,
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

describe('registry types – what Regatta supports for each, in Harbor’s shapes', () => {
  const cases: Array<{ type: RegistryType; triggers: string[]; endpoint: object }> = [
    {
      type: 'docker-registry',
      triggers: ['manual', 'scheduled', 'event_based'],
      endpoint: { endpoint_type: 'EndpointPatternTypeStandard', endpoints: [] },
    },
    {
      type: 'harbor',
      triggers: ['manual', 'scheduled', 'event_based'],
      endpoint: { endpoint_type: 'EndpointPatternTypeStandard', endpoints: [] },
    },
    {
      // Docker Hub sends no notifications Regatta reads; Harbor's adapter offers the same two.
      type: 'docker-hub',
      triggers: ['manual', 'scheduled'],
      endpoint: {
        endpoint_type: 'EndpointPatternTypeFix',
        endpoints: [{ key: 'hub.docker.com', value: 'https://hub.docker.com' }],
      },
    },
  ];
  it('every type – has a case here', () =>
    assert.deepEqual(
      cases.map((entry) => entry.type),
      RegistryType.options,
    ));
  for (const { type, triggers, endpoint } of cases) {
    it(`${type} – triggers ${triggers.join(', ')}; its endpoint pattern; a user name and password`, () => {
      assert.deepEqual(registryInfo({ ...registry, type }).supported_triggers, triggers);
      const info = registryProviderInfos()[type];
      assert.deepEqual(info.endpoint_pattern, endpoint);
      assert.equal(info.credential_pattern.access_secret_type, 'AccessSecretTypePass');
    });
  }
});
