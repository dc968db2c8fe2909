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
import { driftAuditOptions } from './run-drift-audit.js';
import { driftScheduleId, schedulePrefix, scheduledRunIdPrefix, scheduleId } from './run-identity.js';
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

interface ScheduleWanted {
  id: string;
  policyId: number;
  cron: string;
  action: ScheduleOptionsAction;
  overlap: ScheduleOverlapPolicy;
  enabled: boolean;
}

/** Creates or updates one of a policy's schedules so it matches the policy; paused while it is disabled. */
async function upsertSchedule(client: Client, wanted: ScheduleWanted): Promise<void> {
  const note = wanted.enabled ? 'policy enabled' : 'policy disabled';
  const spec = { cronExpressions: [wanted.cron] };
  try {
    await client.schedule.getHandle(wanted.id).update((previous) => ({
      ...previous,
      spec,
      action: wanted.action,
      policies: { ...previous.policies, overlap: wanted.overlap },
      state: { ...previous.state, paused: !wanted.enabled, note },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({
      scheduleId: wanted.id,
      spec,
      action: wanted.action,
      policies: { overlap: wanted.overlap },
      state: { paused: !wanted.enabled, note },
      memo: { policyId: wanted.policyId },
    });
  }
}

/** The policy's run schedule. */
export async function upsertPolicySchedule(client: Client, schedule: PolicySchedule): Promise<void> {
  await upsertSchedule(client, {
    id: scheduleId(schedule.policy.id),
    policyId: schedule.policy.id,
    cron: schedule.cron,
    action: action(schedule.policy),
    overlap: overlap(schedule.singleActive),
    enabled: schedule.enabled,
  });
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

/** The schedule of the policy's drift audits; an audit still running skips the next. */
export async function upsertDriftSchedule(client: Client, schedule: DriftSchedule): Promise<void> {
  const { policy, verify } = schedule;
  await upsertSchedule(client, {
    id: driftScheduleId(policy.id),
    policyId: policy.id,
    cron: schedule.cron,
    action: {
      type: 'startWorkflow',
      workflowType: 'driftAudit' satisfies (typeof driftAudit)['name'],
      ...driftAuditOptions(policy, verify, 'scheduled'),
    },
    overlap: ScheduleOverlapPolicy.SKIP,
    enabled: schedule.enabled,
  });
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
