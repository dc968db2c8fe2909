import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import type { Logger } from 'pino';
import type { VerifyMode } from '../policies/index.js';
import type { driftAudit } from '../workflows/drift-audit.js';
import type { replicationRun } from '../workflows/replication-run.js';
import type { PolicySnapshot } from '../workflows/replication-model.js';
import {
  driftAuditId,
  driftScheduleId,
  schedulePrefix,
  scheduledRunIdPrefix,
  scheduleId,
} from './run-identity.js';
import { policyIdKey, policyNameKey } from './search-attributes.js';
import { taskQueue } from './task-queue.js';
import { replicationRunOptions } from './start-replication-run.js';

/** What a scheduled policy asks of its Temporal Schedule. */
export interface PolicySchedule {
  policy: PolicySnapshot;
  /** Temporal's 5-field cron, already converted from Harbor's 6-field form. */
  cron: string;
  enabled: boolean;
  singleActive: boolean;
}

/** What a policy's `drift_audit` asks of its own schedule. */
export interface DriftSchedule {
  policy: PolicySnapshot;
  cron: string;
  verify: VerifyMode;
  enabled: boolean;
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
  await deleteSchedule(client, scheduleId(policyId));
}

async function deleteSchedule(client: Client, id: string): Promise<void> {
  try {
    await client.schedule.getHandle(id).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

function driftAction(schedule: DriftSchedule): ScheduleOptionsAction {
  const { policy, verify } = schedule;
  return {
    type: 'startWorkflow',
    workflowType: 'driftAudit' satisfies (typeof driftAudit)['name'],
    workflowId: driftAuditId(policy.id, verify),
    args: [{ policy, verify }],
    taskQueue,
    staticSummary: `${policy.name}: scheduled drift audit (verify: ${verify})`,
    typedSearchAttributes: [
      { key: policyIdKey, value: policy.id },
      { key: policyNameKey, value: policy.name },
    ],
  };
}

/** Creates or updates the schedule of the policy's drift audits; an audit still running skips the next. */
export async function upsertDriftSchedule(client: Client, schedule: DriftSchedule): Promise<void> {
  const id = driftScheduleId(schedule.policy.id);
  const note = schedule.enabled ? 'policy enabled' : 'policy disabled';
  try {
    await client.schedule.getHandle(id).update((previous) => ({
      ...previous,
      spec: { cronExpressions: [schedule.cron] },
      action: driftAction(schedule),
      state: { ...previous.state, paused: !schedule.enabled, note },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({
      scheduleId: id,
      spec: { cronExpressions: [schedule.cron] },
      action: driftAction(schedule),
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { paused: !schedule.enabled, note },
      memo: { policyId: schedule.policy.id },
    });
  }
}

export async function deleteDriftSchedule(client: Client, policyId: number): Promise<void> {
  await deleteSchedule(client, driftScheduleId(policyId));
}

/**
 * Makes Temporal's schedules agree with the store: every scheduled policy has its run schedule,
 * every policy with `drift_audit` its audit schedule, and nothing else has one.
 */
export async function reconcilePolicySchedules(
  client: Client,
  wanted: PolicySchedule[],
  logger: Logger,
  wantedDrift: DriftSchedule[] = [],
): Promise<void> {
  const wantedIds = new Set([
    ...wanted.map((schedule) => scheduleId(schedule.policy.id)),
    ...wantedDrift.map((schedule) => driftScheduleId(schedule.policy.id)),
  ]);
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
  for (const schedule of wantedDrift) await upsertDriftSchedule(client, schedule);
}
