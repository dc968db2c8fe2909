import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatChange, planApply, summarize, type Change } from '../../cli/commands/apply-plan.js';
import type { LoadedFiles, PolicyEntry } from '../../cli/commands/policy-file.js';
import {
  ReplicationPolicyInput,
  parseInput,
  policyDefinitionFromInput,
  replicationPolicyView,
  type Registry,
  type RegistryInput,
  type ReplicationPolicy,
} from '../../policies/index.js';

const time = '2026-01-01T00:00:00.000Z';

// What the API returns for a registry: secrets masked.
function serverRegistry(id: number, name: string, extra: Partial<Registry> = {}): Registry {
  return {
    id,
    name,
    url: `https://${name}.example`,
    type: 'docker-registry',
    description: '',
    insecure: false,
    credential: { type: 'basic', access_key: 'bot', access_secret: '*****' },
    status: 'unknown',
    max_connections: null,
    max_requests_in_flight: null,
    creation_time: time,
    update_time: time,
    ...extra,
  };
}
const registries = [serverRegistry(1, 'hq'), serverRegistry(2, 'dc-a'), serverRegistry(3, 'dc-b')];
const byId = new Map(registries.map((registry) => [registry.id, registry]));

// What the API returns for a policy, built the way the API builds it.
function serverPolicy(id: number, body: object): ReplicationPolicy {
  const definition = policyDefinitionFromInput(parseInput(ReplicationPolicyInput, body));
  return replicationPolicyView({ ...definition, id, creation_time: time, update_time: time }, byId);
}

const fileRegistry = (name: string, extra: Partial<RegistryInput> = {}) => ({
  input: {
    name,
    url: `https://${name}.example`,
    credential: { type: 'basic' as const, access_key: 'bot', access_secret: 'the-secret' },
    ...extra,
  },
  source: 'f.yaml',
});
const filePolicy = (entry: PolicyEntry) => ({ entry, source: 'f.yaml' });
const fanout: PolicyEntry = {
  name: 'fanout',
  src_registry: 'hq',
  dest_registries: ['dc-a', 'dc-b'],
  filters: [{ type: 'name', value: 'production/**' }],
};
const fanoutOnServer = serverPolicy(10, {
  name: 'fanout',
  src_registry: { id: 1 },
  dest_registries: [{ id: 2 }, { id: 3 }],
  filters: [{ type: 'name', value: 'production/**' }],
});

type Row = [
  string,
  Pick<LoadedFiles, 'registries' | 'policies'>,
  ReplicationPolicy[],
  boolean,
  Array<Partial<Change>>,
  rotateSecrets?: boolean,
];

const cases: Row[] = [
  [
    'everything new',
    {
      registries: [fileRegistry('new-site')],
      policies: [filePolicy({ ...fanout, dest_registries: ['new-site'] })],
    },
    [],
    false,
    [
      { kind: 'registry', name: 'new-site', action: 'create', fields: [] },
      { kind: 'policy', name: 'fanout', action: 'create', fields: [] },
    ],
  ],
  [
    'same as the server (defaults, masked secrets and URLs of the same origin compare equal)',
    {
      registries: [
        fileRegistry('hq', { url: 'HTTPS://HQ.example:443/' }),
        ...registries.slice(1).map((registry) => fileRegistry(registry.name)),
      ],
      policies: [filePolicy(fanout)],
    },
    [fanoutOnServer],
    false,
    [
      { name: 'hq', action: 'unchanged', id: 1 },
      { name: 'dc-a', action: 'unchanged', id: 2 },
      { name: 'dc-b', action: 'unchanged', id: 3 },
      { name: 'fanout', action: 'unchanged', id: 10 },
    ],
  ],
  [
    'changed fields are named with before and after',
    {
      registries: [fileRegistry('hq', { insecure: true })],
      policies: [filePolicy({ ...fanout, dest_registries: ['dc-a'], enabled: false })],
    },
    [fanoutOnServer],
    false,
    [
      { name: 'hq', action: 'update', fields: [{ field: 'insecure', before: 'false', after: 'true' }] },
      {
        name: 'fanout',
        action: 'update',
        fields: [
          { field: 'enabled', before: 'true', after: 'false' },
          { field: 'dest_registries', before: '["dc-a","dc-b"]', after: '["dc-a"]' },
        ],
      },
    ],
  ],
  [
    'a removed secret is a change; its value never appears',
    {
      registries: [
        fileRegistry('hq', { credential: { type: 'basic', access_key: 'bot', access_secret: '' } }),
      ],
      policies: [],
    },
    [],
    false,
    [
      {
        name: 'hq',
        action: 'update',
        fields: [
          {
            field: 'credential',
            before: '{"type":"basic","access_key":"bot","access_secret":"set"}',
            after: '{"type":"basic","access_key":"bot","access_secret":"not set"}',
          },
        ],
      },
    ],
  ],
  [
    '--rotate-secrets updates registries whose secrets the files hold, without showing them',
    { registries: [fileRegistry('hq'), fileRegistry('dc-a', { credential: undefined })], policies: [] },
    [],
    false,
    [
      { name: 'hq', action: 'update', fields: [{ field: 'secrets', before: 'set', after: 'rotated' }] },
      {
        name: 'dc-a',
        action: 'update',
        fields: [
          {
            field: 'credential',
            before: '{"type":"basic","access_key":"bot","access_secret":"set"}',
            after: '{"type":"basic","access_key":"","access_secret":"not set"}',
          },
        ],
      },
    ],
    true,
  ],
  ['without --prune, other policies stay', { registries: [], policies: [] }, [fanoutOnServer], false, []],
  [
    'with --prune, other policies go',
    { registries: [], policies: [] },
    [fanoutOnServer],
    true,
    [{ kind: 'policy', name: 'fanout', action: 'prune', id: 10 }],
  ],
];

describe('planApply', () => {
  for (const [name, loaded, policies, prune, expected, rotateSecrets] of cases) {
    it(name, () => {
      const changes = planApply({ loaded, registries, policies, prune, rotateSecrets });
      assert.equal(changes.length, expected.length, JSON.stringify(changes));
      expected.forEach((partial, index) => {
        for (const [key, value] of Object.entries(partial))
          assert.deepEqual(changes[index]?.[key as keyof Change], value, `${index}.${key}`);
      });
      assert.ok(!JSON.stringify(changes).includes('the-secret'));
    });
  }

  const invalid: Array<[string, PolicyEntry, RegExp]> = [
    [
      'a registry nobody defines',
      { ...fanout, dest_registries: ['dc-z'] },
      /registry "dc-z" is neither in the files nor on the server/,
    ],
    [
      'a bad filter, as the API would say',
      { ...fanout, filters: [{ type: 'colour', value: 'x' }] },
      /^f\.yaml: filters\[0\]/,
    ],
    [
      'a cron Temporal cannot run',
      { ...fanout, trigger: { type: 'scheduled', trigger_settings: { cron: '* * * * * *' } } },
      /trigger\.trigger_settings\.cron/,
    ],
  ];
  for (const [name, entry, message] of invalid) {
    it(`INVALID_FILE – ${name}`, () =>
      assert.throws(
        () =>
          planApply({
            loaded: { registries: [], policies: [filePolicy(entry)] },
            registries,
            policies: [],
            prune: false,
          }),
        {
          code: 'INVALID_FILE',
          message,
        },
      ));
  }
});

describe('formatChange and summarize', () => {
  const changes: Change[] = [
    { kind: 'registry', name: 'hq', action: 'create', fields: [] },
    {
      kind: 'policy',
      name: 'p',
      action: 'update',
      id: 1,
      fields: [{ field: 'enabled', before: 'true', after: 'false' }],
    },
    { kind: 'policy', name: 'q', action: 'unchanged', id: 2, fields: [] },
    { kind: 'policy', name: 'old', action: 'prune', id: 3, fields: [] },
  ];
  const lines = ['+ registry hq', '~ policy p\n    enabled: true -> false', '= policy q', '- policy old'];
  changes.forEach((change, index) =>
    it(lines[index]!.split('\n')[0]!, () => assert.equal(formatChange(change), lines[index])),
  );
  it('counts', () => assert.deepEqual(summarize(changes), { create: 1, update: 1, unchanged: 1, prune: 1 }));
});
