import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Artifact, ReplicationTask } from '../../contract/index.js';
import { planTasks } from '../../workflows/plan-tasks.js';
import { linksOfLevel, treeLevels } from '../../workflows/tree-links.js';
import { snapshotOf } from '../harness/policy-snapshot.js';

// source 1 → hub 3 (from_parent) → hub 6 (fail) → site 7; source 1 → hub 2 (fail) → sites 4, 5.
const policy = snapshotOf(9, {
  name: 'hq-hubs-sites',
  src_registry: { id: 1 },
  tree: [
    {
      registry: { id: 3 },
      on_hub_failure: 'from_parent',
      children: [{ registry: { id: 6 }, children: [{ registry: { id: 7 } }] }],
    },
    { registry: { id: 2 }, children: [{ registry: { id: 4 } }, { registry: { id: 5 } }] },
  ],
});
const levels = treeLevels(policy)!;
const pushed: Artifact = { repository: 'app', tag: 'v1' };
const own = `sha256:${'e'.repeat(64)}`;

/** How a registry's task of an upper level ended: its outcome, or its error. */
type Ended = ReplicationTask['outcome'] | { failed: string };

interface Case {
  name: string;
  level: number;
  ended: Record<number, Ended>;
  artifact?: Artifact;
  /** Pending tasks by the registry read for them: the links. */
  links: Record<number, number[]>;
  /** Each linked task's source as the task names it. */
  sources: Record<number, string>;
  notes?: Record<number, string>;
  /** Tasks no registry can feed, with HUB_FAILED's message. */
  unfed?: Record<number, string>;
}

const cases: Case[] = [
  {
    name: 'run – a site is read from its hub, which it names as its source',
    level: 1,
    ended: { 2: 'copied', 3: 'copied', 5: 'skipped' },
    links: { 2: [4], 3: [6] },
    sources: { 4: 'dc-2/app:v1', 6: 'dc-3/app:v1' },
  },
  {
    name: 'plan – a hub that would be copied holds nothing yet: its sites are planned from the source, named by the hub',
    level: 1,
    ended: { 2: 'would_copy', 3: 'would_copy' },
    links: { 1: [6, 4, 5] },
    sources: { 4: 'dc-2/app:v1', 5: 'dc-2/app:v1', 6: 'dc-3/app:v1' },
  },
  {
    name: 'plan – two hubs deep that would be copied: planned from the source, named by the nearest hub',
    level: 2,
    ended: { 3: 'would_copy', 6: 'would_copy' },
    links: { 1: [7] },
    sources: { 7: 'dc-6/app:v1' },
  },
  {
    name: 'plan – a hub that holds it already is read itself',
    level: 1,
    ended: { 2: 'skipped', 3: 'would_copy' },
    links: { 2: [4, 5], 1: [6] },
    sources: { 4: 'dc-2/app:v1', 5: 'dc-2/app:v1', 6: 'dc-3/app:v1' },
  },
  {
    name: 'kept – a hub that keeps its own digest feeds that digest, and its sites say so',
    level: 1,
    ended: { 2: 'kept', 3: 'copied' },
    links: { 2: [4, 5], 3: [6] },
    sources: { 4: 'dc-2/app:v1', 5: 'dc-2/app:v1', 6: 'dc-3/app:v1' },
    notes: {
      4: `dc-2 holds its own ${own} (override off): its subtree gets that, not the source's`,
      5: `dc-2 holds its own ${own} (override off): its subtree gets that, not the source's`,
    },
  },
  {
    name: 'hub failed, fail – its sites are not fed: HUB_FAILED names the hub and its error',
    level: 1,
    ended: { 2: { failed: '503' }, 3: 'copied' },
    links: { 3: [6] },
    sources: { 6: 'dc-3/app:v1' },
    unfed: {
      4: 'dc-2 did not get app:v1 (REGISTRY_SERVER_ERROR: 503); its subtree fails with it',
      5: 'dc-2 did not get app:v1 (REGISTRY_SERVER_ERROR: 503); its subtree fails with it',
    },
  },
  {
    name: 'hub failed, from_parent – its child is read from the source, saying which hub failed',
    level: 1,
    ended: { 2: 'copied', 3: { failed: 'connection refused' } },
    links: { 2: [4, 5], 1: [6] },
    sources: { 4: 'dc-2/app:v1', 5: 'dc-2/app:v1', 6: 'app:v1' },
    notes: {
      6: 'dc-3 did not get it (REGISTRY_SERVER_ERROR: connection refused): copied from the source instead',
    },
  },
  {
    name: 'plan – past a failed hub: a hub fed from the source feeds its site, planned from the source',
    level: 2,
    ended: { 3: { failed: '503' }, 6: 'would_copy' },
    links: { 1: [7] },
    sources: { 7: 'dc-6/app:v1' },
  },
  {
    name: 'hub failed below a fallback – fail is the hub’s own: its site is not fed',
    level: 2,
    ended: { 3: 'copied', 6: { failed: '503' } },
    links: {},
    sources: {},
    unfed: { 7: 'dc-6 did not get app:v1 (REGISTRY_SERVER_ERROR: 503); its subtree fails with it' },
  },
  {
    name: 'unlisted artifact – read at the source’s link, which fails it with the source’s reason',
    level: 1,
    artifact: { repository: 'app', error: { code: 'REGISTRY_NAME_UNKNOWN', message: 'unknown' } },
    ended: { 2: { failed: 'unknown' }, 3: { failed: 'unknown' } },
    links: { 1: [6, 4, 5] },
    sources: { 4: 'app', 5: 'app', 6: 'app' },
  },
];

describe('linksOfLevel – who feeds each registry of a tree level, in a run and in a plan', () => {
  it('levels – parents before children', () =>
    assert.deepEqual(
      levels.map((level) => level.map((destination) => destination.registry_id)),
      [[3, 2], [6, 4, 5], [7]],
    ));

  for (const entry of cases) {
    it(entry.name, () => {
      const artifacts = [entry.artifact ?? pushed];
      const tasks = planTasks(policy, artifacts, 1, 'copy', (repository) => repository);
      for (const task of tasks) {
        const ended = entry.ended[task.destinationRegistryId];
        if (ended === undefined) continue;
        if (typeof ended === 'object') {
          task.status = 'Failed';
          task.error = { code: 'REGISTRY_SERVER_ERROR', message: ended.failed };
        } else {
          task.status = 'Succeed';
          task.outcome = ended;
          if (ended === 'kept') task.digest = own;
        }
      }
      const { links, unfed } = linksOfLevel(policy, levels[entry.level]!, artifacts, tasks);
      assert.deepEqual(
        Object.fromEntries(
          links.map((link) => [link.sourceRegistryId, link.tasks.map((task) => task.destinationRegistryId)]),
        ),
        entry.links,
      );
      const linked = links.flatMap((link) => link.tasks);
      assert.deepEqual(
        Object.fromEntries(linked.map((task) => [task.destinationRegistryId, task.srcResource])),
        entry.sources,
      );
      assert.deepEqual(
        Object.fromEntries(
          linked.filter((task) => task.note).map((task) => [task.destinationRegistryId, task.note]),
        ),
        entry.notes ?? {},
      );
      assert.deepEqual(
        Object.fromEntries(
          unfed.map(({ task, error }) => {
            assert.equal(error.code, 'HUB_FAILED');
            return [task.destinationRegistryId, error.message];
          }),
        ),
        entry.unfed ?? {},
      );
      // A link reads the artifact as its registry holds it.
      for (const link of links)
        for (const task of link.tasks)
          assert.equal(link.artifactAt(task.artifactIndex).tag, artifacts[0]!.tag);
    });
  }
});
