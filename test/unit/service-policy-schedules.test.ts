// Policy schedules on the real Temporal dev server: their overlap and catch-up policies, a
// schedule made by an earlier release brought in line, and a worker outage that starts at most
// one run however many times pass meanwhile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { replicationRunType, taskQueue } from '../../contract/index.js';
import {
  defaultScheduleSettings,
  schedulePolicies,
  upsertPolicySchedule,
  type ScheduleSettings,
} from '../../service/policy-schedules.js';
import { scheduleId } from '../../service/run-identity.js';
import { bundleWorkflows } from '../../worker/create-worker.js';
import { eventually } from '../harness/eventually.js';
import { snapshotOf } from '../harness/policy-snapshot.js';
import { scriptedActivities } from '../harness/scripted-activities.js';
import { temporalForSuite } from '../harness/suite-temporal.js';

describe('schedulePolicies', () => {
  const cases: Array<[string, boolean, ScheduleSettings, ScheduleOverlapPolicy]> = [
    [
      'default: one run kept for after the current',
      false,
      defaultScheduleSettings,
      ScheduleOverlapPolicy.BUFFER_ONE,
    ],
    ['skip asked', false, { overlap: 'skip', catchupWindowMs: 60_000 }, ScheduleOverlapPolicy.SKIP],
    ['single active replication always skips', true, defaultScheduleSettings, ScheduleOverlapPolicy.SKIP],
  ];
  for (const [name, singleActive, settings, overlap] of cases)
    it(name, () =>
      assert.deepEqual(schedulePolicies(singleActive, settings), {
        overlap,
        catchupWindow: settings.catchupWindowMs,
      }),
    );
});

describe('policy schedules (Temporal dev server)', () => {
  let bundle: WorkflowBundle;
  const suite = temporalForSuite(async () => {
    bundle = await bundleWorkflows();
  });

  it('upgrade – a schedule made with allow-all and a year of catch-up takes the current policies', async () => {
    const policy = snapshotOf(41, { name: 'nightly', src_registry: { id: 1 }, dest_registry: { id: 2 } });
    await suite.client.schedule.create({
      scheduleId: scheduleId(policy.id),
      spec: { cronExpressions: ['0 3 * * *'] },
      action: { type: 'startWorkflow', workflowType: replicationRunType, taskQueue, args: [{ policy }] },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '365 days' },
    });
    await upsertPolicySchedule(
      suite.client,
      { policy, cron: '0 3 * * *', enabled: true, singleActive: false },
      { overlap: 'buffer_one', catchupWindowMs: 120_000 },
    );
    const described = await suite.client.schedule.getHandle(scheduleId(policy.id)).describe();
    assert.equal(described.policies.overlap, ScheduleOverlapPolicy.BUFFER_ONE);
    assert.equal(described.policies.catchupWindow, 120_000);
    await suite.client.schedule.getHandle(scheduleId(policy.id)).delete();
  });

  it('outage – while no worker runs, a schedule firing every 2 s starts one run, which completes after', async () => {
    const policy = snapshotOf(42, { name: 'often', src_registry: { id: 1 }, dest_registry: { id: 2 } });
    await upsertPolicySchedule(
      suite.client,
      { policy, cron: '0 3 * * *', enabled: true, singleActive: false },
      { overlap: 'skip', catchupWindowMs: 10_000 },
    );
    const handle = suite.client.schedule.getHandle(scheduleId(policy.id));
    // Every 2 s instead of a daily cron, the rest as the service made it.
    await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every: '2 seconds' }] } }));
    const started = async () => (await handle.describe()).info.recentActions.length;
    const skipped = async () => (await handle.describe()).info.numActionsSkippedOverlap;
    // No worker: the first run waits for one, and every later time finds it going.
    await eventually(async () => (await skipped()) >= 4, 30_000, 'four times to pass while the run waits');
    assert.equal(await started(), 1, 'one run started during the outage');

    const { activities } = scriptedActivities({});
    await suite.withWorker({ activities, workflowBundle: bundle }, async () => {
      const first = (await handle.describe()).info.recentActions[0]!.action.workflow.workflowId;
      const summary = await suite.client.workflow.getHandle(first).result();
      assert.equal(summary.status, 'Succeed');
      await handle.pause('test over');
    });
    await handle.delete();
  });
});
