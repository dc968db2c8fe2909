import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  newPolicyForm,
  policyFormField,
  policyFormFromStored,
  policyInputBody,
  formFilters,
} from '../../console/forms/policy-form.js';
import {
  registryFormFromStored,
  registryFormField,
  registryFormOf,
  registryInputBody,
  registryPingBody,
  registryUpdateBody,
  type RegistryForm,
} from '../../console/forms/registry-form.js';
import {
  applyRegistryUpdate,
  parseInput,
  policyDefinitionFromInput,
  registryFromInput,
  RegistryInput,
  RegistryPing,
  RegistryUpdate,
  ReplicationPolicyInput,
  type StoredPolicy,
  type StoredRegistry,
} from '../../policies/index.js';

const storedPolicy: StoredPolicy = {
  id: 3,
  name: 'prod',
  description: 'to the sites',
  src_registry_id: 1,
  dest_registry_ids: [2, 3],
  dest_namespace: '',
  dest_namespace_replace_count: -1,
  trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 */2 * * *' } },
  filters: [
    { type: 'label', value: ['release'] },
    { type: 'name', value: 'production/**' },
    { type: 'tag', value: 'v*', decoration: 'excludes' },
  ],
  replicate_deletion: false,
  override: true,
  enabled: true,
  speed: 2048,
  copy_by_chunk: true,
  single_active_replication: true,
  platforms: [{ os: 'linux', architecture: 'amd64' }],
  replicate_referrers: true,
  mirror: { prune: true, max_delete_ratio: 0.3, max_delete_ratio_per_repository: 0.5, protect: ['*.sig'] },
  drift_audit: { cron: '0 */15 * * * *', verify: 'head' },
  creation_time: '2026-01-01T00:00:00.000Z',
  update_time: '2026-01-01T00:00:00.000Z',
};

describe('policy form', () => {
  it('round trip – a stored policy through the form is the same policy, what the form does not show kept', () => {
    const form = policyFormFromStored(storedPolicy);
    const input = parseInput(ReplicationPolicyInput, policyInputBody(form, storedPolicy));
    const { id: _id, creation_time: _created, update_time: _updated, ...definition } = storedPolicy;
    const again = policyDefinitionFromInput(input);
    assert.deepEqual(
      { ...again, filters: [...again.filters].sort((a, b) => a.type.localeCompare(b.type)) },
      { ...definition, filters: [...definition.filters].sort((a, b) => a.type.localeCompare(b.type)) },
    );
  });

  it('new – the form a new policy starts from, filled in, is valid for the API', () => {
    const body = policyInputBody({
      ...newPolicyForm,
      name: 'fan-out',
      src_registry: '1',
      dest_registries: ['2', '3', '4'],
      name_filter: 'production/**',
    });
    const input = parseInput(ReplicationPolicyInput, body);
    assert.deepEqual(input.dest_registries, [{ id: 2 }, { id: 3 }, { id: 4 }]);
    assert.deepEqual(input.filters, [{ type: 'name', value: 'production/**' }]);
    assert.equal(input.mirror, undefined);
    assert.equal(input.drift_audit, undefined);
  });

  const fields = formFilters({ ...newPolicyForm, tag_filter: 'v*', resource: 'image' }, storedPolicy).fields;
  const cases: Array<[string, string | undefined]> = [
    ['filters[0].value', 'tag_filter'],
    ['filters[1].value', 'resource'],
    ['filters[2].value', undefined],
    ['src_registry.id', 'src_registry'],
    ['dest_registry.id', 'dest_registries'],
    ['dest_registries', 'dest_registries'],
    ['trigger.trigger_settings.cron', 'cron'],
    ['trigger.type', 'trigger'],
    ['mirror.prune', 'mirror_prune'],
    ['mirror.max_delete_ratio', 'mirror_max_delete_ratio'],
    ['mirror.max_delete_ratio_per_repository', 'mirror_max_delete_ratio_per_repository'],
    ['mirror.protect[0]', 'mirror_protect'],
    ['drift_audit.cron', 'drift_cron'],
    ['drift_audit.verify', 'drift_verify'],
    ['single_active_replication', 'single_active_replication'],
    ['name', 'name'],
    ['speed', undefined],
  ];
  for (const [apiField, formField] of cases) {
    it(`field – ${apiField} is shown at ${formField ?? 'the top of the form'}`, () => {
      assert.equal(policyFormField(apiField, fields), formField);
    });
  }
});

const storedRegistry: StoredRegistry = {
  id: 4,
  name: 'hq',
  url: 'https://hq.example:5000',
  type: 'docker-registry',
  description: '',
  insecure: false,
  ca_certificate: null,
  credential: { type: 'basic', access_key: 'robot', access_secret: 'stored-secret' },
  webhook_secret: 'stored-webhook-secret-0123',
  max_connections: 4,
  max_requests_in_flight: null,
  creation_time: '2026-01-01T00:00:00.000Z',
  update_time: '2026-01-01T00:00:00.000Z',
};

describe('registry form', () => {
  const edited = (change: Partial<RegistryForm>) => ({
    ...registryFormFromStored(storedRegistry),
    ...change,
  });
  const saved = (form: RegistryForm) =>
    applyRegistryUpdate(storedRegistry, parseInput(RegistryUpdate, registryUpdateBody(form, storedRegistry)));
  const cases: Array<[string, Partial<RegistryForm>, Partial<StoredRegistry>]> = [
    ['secrets left empty are kept', {}, {}],
    [
      'a typed password replaces the stored one',
      { access_secret: 'new-secret' },
      { credential: { type: 'basic', access_key: 'robot', access_secret: 'new-secret' } },
    ],
    [
      'a new user without a password keeps the stored password',
      { access_key: 'robot-2' },
      { credential: { type: 'basic', access_key: 'robot-2', access_secret: 'stored-secret' } },
    ],
    ['removing the credential reads anonymously', { remove_credential: true }, { credential: null }],
    ['removing the webhook secret', { remove_webhook_secret: true }, { webhook_secret: null }],
    [
      'a typed webhook secret replaces it',
      { webhook_secret: 'another-webhook-secret-01' },
      { webhook_secret: 'another-webhook-secret-01' },
    ],
    ['an emptied CA field removes the CA', { ca_certificate: '' }, { ca_certificate: null }],
    ['an emptied limit removes it', { max_connections: '' }, { max_connections: null }],
    [
      'typed limits replace the stored ones',
      { max_connections: '16', max_requests_in_flight: '8' },
      { max_connections: 16, max_requests_in_flight: 8 },
    ],
  ];
  for (const [name, change, expected] of cases) {
    it(`edit – ${name}`, () => {
      assert.deepEqual(saved(edited(change)), { ...storedRegistry, ...expected });
    });
  }

  const added = (limits: Partial<RegistryForm>) =>
    registryFromInput(
      parseInput(
        RegistryInput,
        registryInputBody({ ...registryFormOf({ name: 'dc-a', url: 'https://dc-a.example' }), ...limits }),
      ),
    );
  it('add – typed limits are the new registry’s; empty fields are none', () => {
    const limited = added({ max_connections: '3', max_requests_in_flight: '2' });
    assert.deepEqual([limited.max_connections, limited.max_requests_in_flight], [3, 2]);
    const open = added({});
    assert.deepEqual([open.max_connections, open.max_requests_in_flight], [null, null]);
  });

  it('ping – an edit pings the stored registry with the changes laid over it, the secret kept', () => {
    const body = parseInput(
      RegistryPing,
      registryPingBody(edited({ url: 'https://hq2.example' }), storedRegistry),
    );
    assert.equal(body.id, 4);
    assert.equal(body.url, 'https://hq2.example');
    assert.equal(body.access_secret, undefined);
  });

  const fieldCases: Array<[string, string | undefined]> = [
    ['credential', 'access_key'],
    ['credential.access_key', 'access_key'],
    ['access_secret', 'access_secret'],
    ['credential.access_secret', 'access_secret'],
    ['ca_certificate', 'ca_certificate'],
    ['url', 'url'],
    ['webhook_secret', 'webhook_secret'],
    ['max_connections', 'max_connections'],
    ['max_requests_in_flight', 'max_requests_in_flight'],
    ['status', undefined],
  ];
  for (const [apiField, formField] of fieldCases) {
    it(`field – ${apiField} is shown at ${formField ?? 'the top of the form'}`, () => {
      assert.equal(registryFormField(apiField), formField);
    });
  }
});
