import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { refusedPolicyField } from '../harness/refused-field.js';
import {
  ReplicationPolicyInput,
  destinationRegistryIds,
  parseInput,
  policyDefinitionFromInput,
} from '../../policies/index.js';

const harborExample = {
  name: 'sync-to-dr',
  src_registry: { id: 1 },
  dest_registry: { id: 2 },
  trigger: { type: 'event_based' },
  filters: [{ type: 'name', value: 'production/**' }],
  enabled: true,
};

describe('ReplicationPolicyInput', () => {
  it('accepts – the Harbor example body verbatim', () => {
    const policy = parseInput(ReplicationPolicyInput, harborExample);
    assert.deepEqual(policyDefinitionFromInput(policy), {
      name: 'sync-to-dr',
      description: '',
      src_registry_id: 1,
      dest_registry_ids: [2],
      dest_namespace: '',
      dest_namespace_replace_count: -1,
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
      replicate_deletion: false,
      override: true,
      enabled: true,
      speed: -1,
      copy_by_chunk: false,
      single_active_replication: false,
      replicate_referrers: false,
    });
  });

  const accepted: Array<[string, object]> = [
    ['full registry objects as references', { src_registry: { id: 1, name: 'hq', url: 'https://hq' } }],
    ['fan-out with dest_registries', { dest_registry: undefined, dest_registries: [{ id: 2 }, { id: 3 }] }],
    ['dest_registry among dest_registries', { dest_registries: [{ id: 3 }, { id: 2 }] }],
    [
      'scheduled with Harbor cron',
      { trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 */2 * * *' } } },
    ],
    ['manual with an empty cron', { trigger: { type: 'manual', trigger_settings: { cron: '' } } }],
    ['deletion and replicate_deletion agreeing', { deletion: true, replicate_deletion: true }],
    [
      'null optionals as Harbor clients send',
      { description: null, filters: null, speed: null, trigger: null },
    ],
    ['output fields copied from a GET', { id: 7, creation_time: '2024-01-01T00:00:00Z', update_time: 'x' }],
    [
      'every filter type',
      {
        filters: [
          { type: 'name', value: '{library,goharbor}/**' },
          { type: 'tag', value: 'v2.[4-7].*', decoration: 'excludes' },
          { type: 'label', value: ['prod'], decoration: 'matches' },
          { type: 'resource', value: 'image' },
        ],
      },
    ],
    [
      'extensions',
      {
        platforms: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }],
        replicate_referrers: true,
        mirror: { prune: true, max_delete_ratio: 0.2, protect: ['release-*'] },
      },
    ],
    ['dest_namespace with a count', { dest_namespace: 'dr/mirror', dest_namespace_replace_count: 1 }],
    [
      "tag selection beyond Harbor's globs",
      {
        trigger: { type: 'manual' },
        filters: [
          { type: 'name', value: '^library/(nginx|redis)$', syntax: 'regex' },
          { type: 'tag', value: '^v?\\d+(\\.\\d+){2}$', syntax: 'regex' },
          { type: 'tag', value: '-rc', syntax: 'regex', decoration: 'excludes' },
          { type: 'tag', value: '>=1.25.0 <2', syntax: 'semver' },
          { type: 'tag', value: '*', syntax: 'glob' },
          { type: 'newest', value: 5 },
          { type: 'max_age', value: '30d' },
        ],
      },
    ],
    ['a semver range with an event trigger', { filters: [{ type: 'tag', value: '^1.2', syntax: 'semver' }] }],
  ];
  for (const [title, change] of accepted) {
    it(`accepts – ${title}`, () => {
      assert.equal(refusedPolicyField({ ...harborExample, ...change }), undefined);
    });
  }

  const refused: Array<[string, unknown, string]> = [
    ['a body that is not an object', [harborExample], 'body'],
    ['no name', { ...harborExample, name: undefined }, 'name'],
    ['a blank name', { ...harborExample, name: '   ' }, 'name'],
    ['no source', { ...harborExample, src_registry: undefined }, 'src_registry'],
    ['a source id that is a string', { ...harborExample, src_registry: { id: '1' } }, 'src_registry.id'],
    [
      "a source id 0 (Harbor's local registry)",
      { ...harborExample, src_registry: { id: 0 } },
      'src_registry.id',
    ],
    ['no destination', { ...harborExample, dest_registry: undefined }, 'dest_registry'],
    ['a destination twice', { ...harborExample, dest_registries: [{ id: 2 }, { id: 2 }] }, 'dest_registries'],
    [
      'dest_registry outside dest_registries',
      { ...harborExample, dest_registries: [{ id: 3 }] },
      'dest_registry',
    ],
    ['an unknown trigger', { ...harborExample, trigger: { type: 'sometimes' } }, 'trigger.type'],
    [
      'scheduled without cron',
      { ...harborExample, trigger: { type: 'scheduled' } },
      'trigger.trigger_settings.cron',
    ],
    [
      'a cron with seconds',
      { ...harborExample, trigger: { type: 'scheduled', trigger_settings: { cron: '5 0 * * * *' } } },
      'trigger.trigger_settings.cron',
    ],
    [
      'a 5-field cron',
      { ...harborExample, trigger: { type: 'scheduled', trigger_settings: { cron: '0 * * * *' } } },
      'trigger.trigger_settings.cron',
    ],
    [
      'an unknown filter type',
      { ...harborExample, filters: [{ type: 'size', value: '1' }] },
      'filters[0].type',
    ],
    [
      'a label filter with a string',
      { ...harborExample, filters: [{ type: 'label', value: 'prod' }] },
      'filters[0].value',
    ],
    [
      'a bad decoration',
      { ...harborExample, filters: [{ type: 'tag', value: '*', decoration: 'maybe' }] },
      'filters[0].decoration',
    ],
    [
      'an unknown resource',
      { ...harborExample, filters: [{ type: 'resource', value: 'chart' }] },
      'filters[0].value',
    ],
    [
      'a brace sequence',
      { ...harborExample, filters: [{ type: 'name', value: '{1..99999}' }] },
      'filters[0].value',
    ],
    [
      'a regular expression that does not compile',
      { ...harborExample, filters: [{ type: 'tag', value: '^v(\\d+', syntax: 'regex' }] },
      'filters[0].value',
    ],
    [
      'a regular expression with a backreference',
      { ...harborExample, filters: [{ type: 'tag', value: '(a)\\1', syntax: 'regex' }] },
      'filters[0].value',
    ],
    [
      'a semver range that does not parse',
      { ...harborExample, filters: [{ type: 'tag', value: '>=1.25.0 <2x', syntax: 'semver' }] },
      'filters[0].value',
    ],
    [
      'a semver range on names',
      { ...harborExample, filters: [{ type: 'name', value: '>=1', syntax: 'semver' }] },
      'filters[0].syntax',
    ],
    [
      'an unknown syntax',
      { ...harborExample, filters: [{ type: 'tag', value: 'a', syntax: 'wildcard' }] },
      'filters[0].syntax',
    ],
    [
      'newest below 1',
      { ...harborExample, trigger: { type: 'manual' }, filters: [{ type: 'newest', value: 0 }] },
      'filters[0].value',
    ],
    [
      'newest twice',
      {
        ...harborExample,
        trigger: { type: 'manual' },
        filters: [
          { type: 'newest', value: 1 },
          { type: 'newest', value: 2 },
        ],
      },
      'filters[1].type',
    ],
    [
      'an age bound without a unit',
      { ...harborExample, trigger: { type: 'manual' }, filters: [{ type: 'max_age', value: '30' }] },
      'filters[0].value',
    ],
    [
      'newest with an event trigger',
      {
        ...harborExample,
        filters: [
          { type: 'name', value: 'a' },
          { type: 'newest', value: 3 },
        ],
      },
      'filters[1].type',
    ],
    [
      'an age bound with an event trigger',
      { ...harborExample, filters: [{ type: 'max_age', value: '1d' }] },
      'filters[0].type',
    ],
    ['an invalid dest_namespace', { ...harborExample, dest_namespace: 'Upper/Case' }, 'dest_namespace'],
    [
      'a replace count below -1',
      { ...harborExample, dest_namespace_replace_count: -2 },
      'dest_namespace_replace_count',
    ],
    ['a fractional speed', { ...harborExample, speed: 1.5 }, 'speed'],
    [
      'deletion disagreeing',
      { ...harborExample, deletion: true, replicate_deletion: false },
      'replicate_deletion',
    ],
    [
      'single active with events',
      { ...harborExample, single_active_replication: true },
      'single_active_replication',
    ],
    ['an unknown field', { ...harborExample, src_namespaces: ['a'] }, 'src_namespaces'],
    [
      'an unknown nested field',
      { ...harborExample, trigger: { type: 'manual', kind: 'Manual' } },
      'trigger.kind',
    ],
    ['a ratio above 1', { ...harborExample, mirror: { max_delete_ratio: 2 } }, 'mirror.max_delete_ratio'],
    ['a bad platform', { ...harborExample, platforms: [{ os: 'linux' }] }, 'platforms[0].architecture'],
    ['enabled as a string', { ...harborExample, enabled: 'true' }, 'enabled'],
  ];
  for (const [title, body, field] of refused) {
    it(`refuses – ${title}, naming ${field}`, () => {
      assert.equal(refusedPolicyField(body), field);
    });
  }

  const positions: Array<[string, object, string]> = [
    ['a regular expression', { type: 'tag', value: 'v(\\d+', syntax: 'regex' }, 'at position 1'],
    ['a semver range', { type: 'tag', value: '>=1.25.0 <2x', syntax: 'semver' }, 'at position 9'],
  ];
  for (const [title, filter, position] of positions) {
    it(`says – where ${title} goes wrong`, () => {
      assert.throws(
        () => parseInput(ReplicationPolicyInput, { ...harborExample, filters: [filter] }),
        (error: unknown) => error instanceof InvalidInputError && error.message.includes(position),
      );
    });
  }
});

describe('policyDefinitionFromInput', () => {
  it('keeps – dest_registry first among the destinations', () => {
    const input = parseInput(ReplicationPolicyInput, {
      ...harborExample,
      dest_registries: [{ id: 3 }, { id: 2 }, { id: 4 }],
    });
    assert.deepEqual(policyDefinitionFromInput(input).dest_registry_ids, [2, 3, 4]);
  });

  it('takes – replicate_deletion from deletion', () => {
    const input = parseInput(ReplicationPolicyInput, { ...harborExample, deletion: true });
    assert.equal(policyDefinitionFromInput(input).replicate_deletion, true);
  });
});

describe('destinationRegistryIds', () => {
  const cases: Array<[string, Parameters<typeof destinationRegistryIds>[0], number[]]> = [
    ['one site', { dest_registry: { id: 2 } }, [2]],
    ['fan-out', { dest_registry: { id: 2 }, dest_registries: [{ id: 2 }, { id: 3 }] }, [2, 3]],
    ['fan-out alone', { dest_registries: [{ id: 4 }, { id: 5 }] }, [4, 5]],
    ['an empty fan-out', { dest_registry: { id: 2 }, dest_registries: [] }, [2]],
    ['none', { dest_registry: null }, []],
  ];
  for (const [title, policy, expected] of cases) {
    it(`lists – ${title}`, () => {
      assert.deepEqual(destinationRegistryIds(policy), expected);
    });
  }
});
