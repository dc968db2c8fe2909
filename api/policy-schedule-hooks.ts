import type { Client } from '@temporalio/client';
import { harborCronToTemporal, type StoredPolicy } from '../policies/index.js';
import { PreconditionError, type Store } from '../store/index.js';
import { storedPolicySnapshot } from '../temporal/policy-snapshot.js';
import {
  deleteDriftSchedule,
  deletePolicySchedule,
  upsertDriftSchedule,
  upsertPolicySchedule,
  type DriftSchedule,
  type PolicySchedule,
} from '../temporal/policy-schedules.js';
import { hasRunInProgress } from '../temporal/runs-in-progress.js';
import type { PolicyHooks } from './policy-routes.js';

/** The schedule a stored policy asks for, or undefined when it is not scheduled. */
export async function policySchedule(
  store: Store,
  policy: StoredPolicy,
): Promise<PolicySchedule | undefined> {
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
export async function driftSchedule(store: Store, policy: StoredPolicy): Promise<DriftSchedule | undefined> {
  if (!policy.drift_audit) return undefined;
  return {
    policy: await storedPolicySnapshot(store, policy),
    cron: harborCronToTemporal(policy.drift_audit.cron),
    verify: policy.drift_audit.verify ?? 'off',
    enabled: policy.enabled,
  };
}

/** Keeps each policy's Temporal Schedules in step with the policy; refuses to delete a policy that is running. */
export function policyScheduleHooks(store: Store, client: Client): PolicyHooks {
  return {
    async saved(policy) {
      const schedule = await policySchedule(store, policy);
      if (schedule) await upsertPolicySchedule(client, schedule);
      else await deletePolicySchedule(client, policy.id);
      const audits = await driftSchedule(store, policy);
      if (audits) await upsertDriftSchedule(client, audits);
      else await deleteDriftSchedule(client, policy.id);
    },
    async deleting(policy) {
      if (await hasRunInProgress(client, policy.id)) {
        throw new PreconditionError(`policy ${policy.name} has an execution in progress; stop it first`);
      }
    },
    async deleted(policy) {
      await deletePolicySchedule(client, policy.id);
      await deleteDriftSchedule(client, policy.id);
    },
  };
}
