import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTasks } from '../../workflows/plan-tasks.js';
import { snapshotOf } from '../harness/policy-snapshot.js';

const policy = snapshotOf(
  7,
  { name: 'prod-to-sites', src_registry: { id: 1 }, dest_registries: [{ id: 2 }, { id: 3 }] },
  { 2: 'dc-a', 3: 'dc-b' },
);

describe('planTasks', () => {
  it('numbering – one task per artifact and destination, in order from firstId', () => {
    const tasks = planTasks(
      policy,
      [
        { repository: 'production/api', tag: 'v1' },
        { repository: 'production/web', digest: 'sha256:ab' },
      ],
      11,
      'copy',
      (repository) => `mirror/${repository}`,
    );
    assert.deepEqual(
      tasks.map((task) => [
        task.id,
        task.artifactIndex,
        task.destinationRegistryId,
        task.srcResource,
        task.dstResource,
      ]),
      [
        [11, 0, 2, 'production/api:v1', 'dc-a/mirror/production/api:v1'],
        [12, 0, 3, 'production/api:v1', 'dc-b/mirror/production/api:v1'],
        [13, 1, 2, 'production/web@sha256:ab', 'dc-a/mirror/production/web@sha256:ab'],
        [14, 1, 3, 'production/web@sha256:ab', 'dc-b/mirror/production/web@sha256:ab'],
      ],
    );
    assert.ok(tasks.every((task) => task.status === 'Pending' && task.operation === 'copy'));
  });

  it('mapping error – the artifact tasks fail with the reason, others stay pending', () => {
    const tasks = planTasks(
      policy,
      [
        { repository: 'a', tag: 'x' },
        { repository: 'b/c', tag: 'y' },
      ],
      1,
      'copy',
      (repository) => {
        if (!repository.includes('/'))
          throw new Error('dest_namespace_replace_count 1 is larger than the path of a');
        return repository;
      },
    );
    assert.deepEqual(
      tasks.map((task) => task.status),
      ['Failed', 'Failed', 'Pending', 'Pending'],
    );
    assert.equal(tasks[0]?.error?.code, 'INVALID_INPUT');
    assert.match(tasks[0]?.error?.message ?? '', /larger than the path/);
  });
});
