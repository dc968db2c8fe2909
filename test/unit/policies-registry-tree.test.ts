import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedPolicyField } from '../harness/refused-field.js';
import {
  parseInput,
  policyDefinitionFromInput,
  policySnapshot,
  replicationPolicyView,
  ReplicationPolicyInput,
  treeIssues,
  treeMembers,
  type Registry,
  type StoredPolicy,
  type TreeNode,
} from '../../policies/index.js';

type Node = TreeNode<{ id: number }>;
const node = (id: number, children?: Node[], on_hub_failure?: 'fail' | 'from_parent'): Node => ({
  registry: { id },
  ...(children ? { children } : {}),
  ...(on_hub_failure ? { on_hub_failure } : {}),
});

// HQ (1) → hubs 2 and 3 → sites 4, 5 under 2 and 6, 7 under 3.
const twoHubs = [node(2, [node(4), node(5)]), node(3, [node(6), node(7)], 'from_parent')];

describe('treeMembers', () => {
  it('orders – every parent before its children, each knowing its parent; hubs their fallback', () => {
    assert.deepEqual(treeMembers(twoHubs), [
      { registryId: 2, onHubFailure: 'fail' },
      { registryId: 3, onHubFailure: 'from_parent' },
      { registryId: 4, parentRegistryId: 2 },
      { registryId: 5, parentRegistryId: 2 },
      { registryId: 6, parentRegistryId: 3 },
      { registryId: 7, parentRegistryId: 3 },
    ]);
  });
  it('takes – the policy-wide fallback for hubs that do not say', () => {
    assert.equal(treeMembers(twoHubs, 'from_parent')[0]!.onHubFailure, 'from_parent');
  });
  it('goes – deeper than two levels', () => {
    const deep = treeMembers([node(2, [node(3, [node(4)])])]);
    assert.deepEqual(
      deep.map((member) => [member.registryId, member.parentRegistryId]),
      [
        [2, undefined],
        [3, 2],
        [4, 3],
      ],
    );
  });
});

describe('treeIssues', () => {
  const cases: Array<[string, Node[], Array<[string, RegExp]>]> = [
    ['a tree of two hubs', twoHubs, []],
    ['a flat list', [node(2), node(3)], []],
    ['a cycle', [node(2, [node(3, [node(2)])])], [['0.children.0.children.0.registry.id', /own ancestor/]]],
    ['a registry twice', [node(2, [node(4)]), node(3, [node(4)])], [['1.children.0.registry.id', /twice/]]],
    ['a hub that is the source', [node(1, [node(4)])], [['0.registry.id', /source/]]],
    ['a site that is the source', [node(2, [node(1)])], [['0.children.0.registry.id', /source/]]],
    [
      'nine levels',
      [node(2, [node(3, [node(4, [node(5, [node(6, [node(7, [node(8, [node(9, [node(10)])])])])])])])])],
      [
        [
          '0.children.0.children.0.children.0.children.0.children.0.children.0.children.0.children',
          /deeper than 8/,
        ],
      ],
    ],
  ];
  for (const [title, tree, expected] of cases) {
    it(`${expected.length ? 'finds' : 'accepts'} – ${title}`, () => {
      const issues = treeIssues(tree, 1);
      assert.deepEqual(
        issues.map((issue) => issue.path.join('.')),
        expected.map(([path]) => path),
      );
      issues.forEach((issue, index) => assert.match(issue.message, expected[index]![1]));
    });
  }
  it('finds – more than 100 registries', () => {
    const wide = [
      node(
        2,
        Array.from({ length: 100 }, (_, index) => node(index + 10)),
      ),
    ];
    assert.match(treeIssues(wide, 1).at(-1)!.message, /more than 100/);
  });
});

const body = {
  name: 'hq-to-regions',
  src_registry: { id: 1 },
  trigger: { type: 'event_based' },
  tree: twoHubs,
};

describe('a policy with a tree', () => {
  it('derives – dest_registry_ids from the tree, parents first; the tree by ids', () => {
    const definition = policyDefinitionFromInput(
      parseInput(ReplicationPolicyInput, {
        ...body,
        on_hub_failure: 'from_parent',
        tree: [{ registry: { id: 2, name: 'hub-a', url: 'https://x' }, children: [{ registry: { id: 4 } }] }],
      }),
    );
    assert.deepEqual(definition.dest_registry_ids, [2, 4]);
    assert.deepEqual(definition.tree, [node(2, [node(4)])]);
    assert.equal(definition.on_hub_failure, 'from_parent');
  });

  const accepted: Array<[string, object]> = [
    ['a tree alone', {}],
    [
      'dest_registries listing the tree, as a GET shows it',
      { dest_registries: [7, 6, 5, 4, 3, 2].map((id) => ({ id })) },
    ],
    ['dest_registry in the tree', { dest_registry: { id: 4 } }],
  ];
  for (const [title, change] of accepted) {
    it(`accepts – ${title}`, () => assert.equal(refusedPolicyField({ ...body, ...change }), undefined));
  }

  const refused: Array<[string, object, string]> = [
    ['a cycle', { tree: [node(2, [node(3, [node(2)])])] }, 'tree[0].children[0].children[0].registry.id'],
    [
      'a registry twice',
      { tree: [node(2, [node(4)]), node(3, [node(4)])] },
      'tree[1].children[0].registry.id',
    ],
    ['a hub that is the source', { tree: [node(1, [node(4)])] }, 'tree[0].registry.id'],
    ['an empty tree', { tree: [] }, 'tree'],
    [
      'a hub without children written as []',
      { tree: [{ registry: { id: 2 }, children: [] }] },
      'tree[0].children',
    ],
    [
      'a fallback of another kind',
      { tree: [node(2, [node(3)], 'retry' as 'fail')] },
      'tree[0].on_hub_failure',
    ],
    ['dest_registries other than the tree', { dest_registries: [{ id: 2 }, { id: 9 }] }, 'dest_registries'],
    ['dest_registry outside the tree', { dest_registry: { id: 9 } }, 'dest_registry'],
    ['dest_namespace', { dest_namespace: 'mirror' }, 'dest_namespace'],
    [
      'on_hub_failure without a tree',
      { tree: undefined, dest_registry: { id: 2 }, on_hub_failure: 'fail' },
      'on_hub_failure',
    ],
  ];
  for (const [title, change, field] of refused) {
    it(`refuses – ${title}, naming ${field}`, () =>
      assert.equal(refusedPolicyField({ ...body, ...change }), field));
  }
});

describe('the views of a tree', () => {
  const stored: StoredPolicy = {
    ...policyDefinitionFromInput(parseInput(ReplicationPolicyInput, body)),
    id: 9,
    creation_time: 't',
    update_time: 't',
  };

  it('snapshot – each destination knows its parent; hubs their fallback', () => {
    const snapshot = policySnapshot(stored, (id) => `r${id}`);
    assert.deepEqual(snapshot.destinations, [
      { registry_id: 2, name: 'r2', on_hub_failure: 'fail' },
      { registry_id: 3, name: 'r3', on_hub_failure: 'from_parent' },
      { registry_id: 4, name: 'r4', parent_registry_id: 2 },
      { registry_id: 5, name: 'r5', parent_registry_id: 2 },
      { registry_id: 6, name: 'r6', parent_registry_id: 3 },
      { registry_id: 7, name: 'r7', parent_registry_id: 3 },
    ]);
  });

  it('snapshot – a flat policy as before: no parents', () => {
    const { tree: _tree, ...flat } = stored;
    const snapshot = policySnapshot({ ...flat, dest_registry_ids: [2, 3] }, (id) => `r${id}`);
    assert.deepEqual(snapshot.destinations, [
      { registry_id: 2, name: 'r2' },
      { registry_id: 3, name: 'r3' },
    ]);
  });

  it('API view – the tree with its registries embedded, and sent back as is it is accepted', () => {
    const registries = new Map(
      [1, 2, 3, 4, 5, 6, 7].map((id) => [id, { id, name: `r${id}` } as unknown as Registry]),
    );
    const view = replicationPolicyView(stored, registries);
    assert.equal(view.tree?.[1]?.children?.[0]?.registry.name, 'r6');
    assert.equal(view.tree?.[1]?.on_hub_failure, 'from_parent');
    const { id: _id, creation_time: _c, update_time: _u, ...resent } = view;
    assert.equal(refusedPolicyField(JSON.parse(JSON.stringify(resent))), undefined);
  });
});
