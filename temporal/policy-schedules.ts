import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import type { Logger } from 'pino';
import type { replicationRun } from '../workflows/replication-run.js';
import type { PolicySnapshot } from '../workflows/replication-model.js';
import { schedulePrefix, scheduledRunIdPrefix, scheduleId } from './run-identity.js';
import { replicationRunOptions } from './start-replication-run.js';

/** What a scheduled policy asks of its Temporal Schedule. */
export interface PolicySchedule {
  policy: PolicySnapshot;
  /** Temporal's 5-field cron, already converted from Harbor's 6-field form. */
  cron: string;
  enabled: boolean;
  singleActive: boolean;
}

function action(policy: PolicySnapshot): ScheduleOptionsAction {
  return {
    type: 'startWorkflow',
    workflowType: 'replicationRun' satisfies (typeof replicationRun)['name'],
    workflowId: scheduledRunIdPrefix(policy),
    args: [{ policy, trigger: 'scheduled', operation: 'copy' }],
    ...replicationRunOptions(policy, 'scheduled'),
  };
}

function overlap(singleActive: boolean) {
  // Harbor skips a run while one is active only with single_active_replication.
  return singleActive ? ScheduleOverlapPolicy.SKIP : ScheduleOverlapPolicy.ALLOW_ALL;
}

/** Creates or updates the policy's schedule so it matches the policy; paused when disabled. */
export async function upsertPolicySchedule(client: Client, schedule: PolicySchedule): Promise<void> {
  const id = scheduleId(schedule.policy.id);
  const handle = client.schedule.getHandle(id);
  const note = schedule.enabled ? 'policy enabled' : 'policy disabled';
  try {
    await handle.update((previous) => ({
      ...previous,
      spec: { cronExpressions: [schedule.cron] },
      action: action(schedule.policy),
      policies: { ...previous.policies, overlap: overlap(schedule.singleActive) },
      state: { ...previous.state, paused: !schedule.enabled, note },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({
      scheduleId: id,
      spec: { cronExpressions: [schedule.cron] },
      action: action(schedule.policy),
      policies: { overlap: overlap(schedule.singleActive) },
      state: { paused: !schedule.enabled, note },
      memo: { policyId: schedule.policy.id },
    });
  }
}

/** Deletes the policy's schedule; a schedule already gone is fine. */
export async function deletePolicySchedule(client: Client, policyId: number): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId(policyId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** Makes Temporal's schedules agree with the store: every scheduled policy has one, nothing else does. */
export async function reconcilePolicySchedules(
  client: Client,
  wanted: PolicySchedule[],
  logger: Logger,
): Promise<void> {
  const wantedIds = new Set(wanted.map((schedule) => scheduleId(schedule.policy.id)));
  for await (const summary of client.schedule.list()) {
    if (summary.scheduleId.startsWith(schedulePrefix) && !wantedIds.has(summary.scheduleId)) {
      await client.schedule.getHandle(summary.scheduleId).delete();
      logger.info(
        { scheduleId: summary.scheduleId },
        'deleted the schedule of a policy that no longer has one',
      );
    }
  }
  for (const schedule of wanted) await upsertPolicySchedule(client, schedule);
}
