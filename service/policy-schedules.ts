import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import type { Logger } from 'pino';
import { driftAuditType, replicationRunType } from '../contract/index.js';
import {
  harborCronToTemporal,
  type PolicySnapshot,
  type StoredPolicy,
  type VerifyMode,
} from '../policies/index.js';
import type { Store } from '../store/index.js';
import { driftAuditOptions } from './drift-audit.js';
import { storedPolicySnapshot } from './policy-snapshot.js';
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
    workflowType: replicationRunType,
    workflowId: scheduledRunIdPrefix(policy),
    args: [{ policy, trigger: 'scheduled', operation: 'copy' }],
    ...replicationRunOptions(policy, 'scheduled'),
  };
}

/**
 * How every policy schedule behaves when a run is still going or times were missed (the API's
 * REGATTA_SCHEDULE_OVERLAP and REGATTA_SCHEDULE_CATCHUP_SECONDS).
 */
export interface ScheduleSettings {
  /** A time that comes while the last run is going: skipped, or one run kept to start after it. */
  overlap: 'skip' | 'buffer_one';
  /** How far back a schedule starts a run it missed (Temporal or the workers down); at most one. */
  catchupWindowMs: number;
}

export const defaultScheduleSettings: ScheduleSettings = { overlap: 'buffer_one', catchupWindowMs: 600_000 };

/**
 * A schedule's Temporal policies: never runs piling up (a policy with single_active_replication
 * always skips, as Harbor does), and after an outage at most one missed run, when still recent.
 */
export function schedulePolicies(
  singleActive: boolean,
  settings: ScheduleSettings,
): { overlap: ScheduleOverlapPolicy; catchupWindow: number } {
  const skip = singleActive || settings.overlap === 'skip';
  return {
    overlap: skip ? ScheduleOverlapPolicy.SKIP : ScheduleOverlapPolicy.BUFFER_ONE,
    catchupWindow: settings.catchupWindowMs,
  };
}

interface ScheduleWanted {
  id: string;
  policyId: number;
  cron: string;
  action: ScheduleOptionsAction;
  policies: ReturnType<typeof schedulePolicies>;
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
      // Schedules made by an earlier release take the current policies here too.
      policies: { ...previous.policies, ...wanted.policies },
      state: { ...previous.state, paused: !wanted.enabled, note },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create({
      scheduleId: wanted.id,
      spec,
      action: wanted.action,
      policies: wanted.policies,
      state: { paused: !wanted.enabled, note },
      memo: { policyId: wanted.policyId },
    });
  }
}

/** The policy's run schedule. */
export async function upsertPolicySchedule(
  client: Client,
  schedule: PolicySchedule,
  settings: ScheduleSettings = defaultScheduleSettings,
): Promise<void> {
  await upsertSchedule(client, {
    id: scheduleId(schedule.policy.id),
    policyId: schedule.policy.id,
    cron: schedule.cron,
    action: action(schedule.policy),
    policies: schedulePolicies(schedule.singleActive, settings),
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
export async function upsertDriftSchedule(
  client: Client,
  schedule: DriftSchedule,
  settings: ScheduleSettings = defaultScheduleSettings,
): Promise<void> {
  const { policy, verify } = schedule;
  await upsertSchedule(client, {
    id: driftScheduleId(policy.id),
    policyId: policy.id,
    cron: schedule.cron,
    action: {
      type: 'startWorkflow',
      workflowType: driftAuditType,
      ...driftAuditOptions(policy, verify, 'scheduled'),
    },
    policies: schedulePolicies(true, settings),
    enabled: schedule.enabled,
  });
}

export async function deleteDriftSchedule(client: Client, policyId: number): Promise<void> {
  await deleteSchedule(client, driftScheduleId(policyId));
}

/** The schedule a stored policy asks for, or undefined when it is not scheduled. */
async function policySchedule(store: Store, policy: StoredPolicy): Promise<PolicySchedule | undefined> {
  const cron = policy.trigger.type === 'scheduled' ? policy.trigger.trigger_settings?.cron : undefined;
  if (!cron) return undefined;
  return {
    policy: await storedPolicySnapshot(store, policy),
    cron: harborCronToTemporal(cron),
    enabled: policy.enabled,
    singleActive: policy.single_active_replication,
  };
}

/** The drift-audit schedule a stored policy asks for, or undefined. */
async function driftSchedule(store: Store, policy: StoredPolicy): Promise<DriftSchedule | undefined> {
  if (!policy.drift_audit) return undefined;
  return {
    policy: await storedPolicySnapshot(store, policy),
    cron: harborCronToTemporal(policy.drift_audit.cron),
    verify: policy.drift_audit.verify ?? 'off',
    enabled: policy.enabled,
  };
}

/** Brings a saved policy's schedules in step with it: created, updated, paused or deleted. */
export async function keepPolicySchedules(
  store: Store,
  client: Client,
  policy: StoredPolicy,
  settings: ScheduleSettings,
): Promise<void> {
  const schedule = await policySchedule(store, policy);
  if (schedule) await upsertPolicySchedule(client, schedule, settings);
  else await deletePolicySchedule(client, policy.id);
  const audits = await driftSchedule(store, policy);
  if (audits) await upsertDriftSchedule(client, audits, settings);
  else await deleteDriftSchedule(client, policy.id);
}

/** Deletes both schedules of a deleted policy. */
export async function dropPolicySchedules(client: Client, policyId: number): Promise<void> {
  await deletePolicySchedule(client, policyId);
  await deleteDriftSchedule(client, policyId);
}

/**
 * Makes Temporal's schedules agree with the store: every scheduled policy has its run schedule,
 * every policy with `drift_audit` its audit schedule, and nothing else has one.
 */
export async function reconcilePolicySchedules(
  store: Store,
  client: Client,
  logger: Logger,
  settings: ScheduleSettings,
): Promise<void> {
  const wanted: PolicySchedule[] = [];
  const wantedDrift: DriftSchedule[] = [];
  for (const policy of await store.policies.all()) {
    const schedule = await policySchedule(store, policy);
    if (schedule) wanted.push(schedule);
    const audits = await driftSchedule(store, policy);
    if (audits) wantedDrift.push(audits);
  }
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
  for (const schedule of wanted) await upsertPolicySchedule(client, schedule, settings);
  for (const schedule of wantedDrift) await upsertDriftSchedule(client, schedule, settings);
}
