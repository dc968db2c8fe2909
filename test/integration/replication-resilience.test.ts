import { WorkflowFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { harborCronToTemporal } from '../../policies/index.js';
import { upsertPolicySchedule } from '../../service/policy-schedules.js';
import { manualRunId, scheduleId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import type { ReplicationTask } from '../../contract/index.js';
import { pageTasksQuery, runStatusQuery } from '../../contract/index.js';
import { midCopy } from '../harness/copy-progress.js';
import { eventually } from '../harness/eventually.js';
import { pushImage } from '../harness/images.js';
import { rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

describe('replication run resilience', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  const ids: Record<string, number> = {};
  const sites = () => bed.sites.map((site) => ({ id: ids[site.name] }));

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    ids.hq = await regatta.addRegistry(bed.hq);
    for (const site of bed.sites) ids[site.name] = await regatta.addRegistry(site);
  });
  after(async () => {
    await regatta?.stop();
    await bed?.stop();
  });

  const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 6)}`;

  it('stop – a run cancelled mid-blob ends Stopped promptly and leaves no manifest at the sites', async () => {
    await pushImage({ registry: bed.hq }, 'production/slow', 'v1', { layerSizes: [12 * 1024 * 1024] });
    const policy = await regatta.createPolicy({
      name: uniqueName('stop'),
      src_registry: { id: ids.hq },
      dest_registries: sites(),
      filters: [{ type: 'name', value: 'production/slow' }],
      // KiB/s for the run, a quarter per artifact: left alone the 12 MiB layer takes 48 s.
      speed: 1024,
    });
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'stop'),
      policy,
      trigger: 'manual',
    });
    await midCopy(regatta.client.workflow.getHandle(handle.workflowId));
    const stoppedAt = Date.now();
    await handle.cancel();
    await assert.rejects(handle.result(), WorkflowFailedError);
    // Cancellation reaches the copy on its next heartbeat (within about a second); the margin is
    // for a loaded machine, and still far below the 48 s the copy would take if it went on.
    const elapsed = Date.now() - stoppedAt;
    assert.ok(elapsed < 15_000, `stopped in ${elapsed} ms`);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');

    const status = await handle.query(runStatusQuery);
    assert.equal(status.summary.status, 'Stopped');
    const tasks = (await regatta.tasks(handle.workflowId, {})).tasks;
    assert.ok(tasks.length > 0 && tasks.every((task) => task.status === 'Stopped'));
    for (const site of bed.sites) {
      assert.equal(
        (await rawGetManifest({ registry: site }, 'production/slow', 'v1')).status,
        404,
        `${site.name} has no manifest`,
      );
    }
  });

  it('site down – a site that comes back after failed attempts gets its copy; the others are done long before', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/outage', 'v1', {
      layerSizes: [64 * 1024],
    });
    const policy = await regatta.createPolicy({
      name: uniqueName('outage'),
      src_registry: { id: ids.hq },
      dest_registries: sites(),
      filters: [{ type: 'name', value: 'production/outage' }],
    });
    const down = bed.sites[0];
    await down.stop();
    try {
      const handle = await startReplicationRun({
        client: regatta.client,
        workflowId: manualRunId(policy, new Date(), 'down'),
        policy,
        trigger: 'manual',
      });
      const page = regatta.client.workflow.getHandle(handle.workflowId);
      // The run keeps trying the down site (backoff 2 s, 4 s, ...) while the others finish.
      const early = await eventually(
        async () => {
          const { tasks } = await page.query(pageTasksQuery);
          const others = tasks.filter((task) => task.destinationRegistryId !== ids[down.name]);
          const failing = tasks.find((task) => task.destinationRegistryId === ids[down.name]);
          return others.every((task) => task.status === 'Succeed') && (failing?.attempts ?? 0) >= 3
            ? tasks
            : undefined;
        },
        60_000,
        'the reachable sites to finish while the down site has failed three times',
      );
      const downTask = early.find((task) => task.destinationRegistryId === ids[down.name]) as ReplicationTask;
      assert.equal(downTask.status, 'InProgress', 'the down site is being retried, not failed');
      assert.equal(downTask.error?.code, 'REGISTRY_NETWORK');
      await down.start();
      const summary = await handle.result();
      assert.equal(summary.status, 'Succeed', summary.statusText);
      const manifest = await rawGetManifest({ registry: down }, 'production/outage', 'v1');
      assert.equal(sha256(manifest.bytes), image.digest);
    } finally {
      await down.start();
    }
  });

  it('scheduled – the policy schedule starts a run with trigger scheduled', async () => {
    await pushImage({ registry: bed.hq }, 'production/nightly', 'v1', { layerSizes: [1024] });
    const policy = await regatta.createPolicy({
      name: uniqueName('nightly'),
      src_registry: { id: ids.hq },
      dest_registries: sites(),
      trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 3 * * *' } },
      filters: [{ type: 'name', value: 'production/nightly' }],
    });
    await upsertPolicySchedule(regatta.client, {
      policy,
      cron: harborCronToTemporal('0 0 3 * * *'),
      enabled: true,
      singleActive: false,
    });
    const schedule = regatta.client.schedule.getHandle(scheduleId(policy.id));
    assert.deepEqual((await schedule.describe()).spec.calendars?.length, 1);
    await schedule.trigger();
    const workflowId = await eventually(
      async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
      20_000,
      'the schedule to start a run',
    );
    const run = regatta.client.workflow.getHandle(workflowId);
    const summary = await run.result();
    assert.equal(summary.status, 'Succeed');
    const execution = await regatta.store.executions.getByWorkflowId(workflowId);
    assert.equal(execution?.trigger, 'scheduled');
    assert.equal(execution?.policyId, policy.id);
    await schedule.delete();
  });
});
