import type { Client } from '@temporalio/client';
import { harborCronToTemporal, type StoredPolicy } from '../policies/index.js';
import { PreconditionError, type Store } from '../store/index.js';
import { storedPolicySnapshot } from '../temporal/policy-snapshot.js';
import {
  deletePolicySchedule,
  upsertPolicySchedule,
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

/** Keeps each policy's Temporal Schedule in step with the policy; refuses to delete a policy that is running. */
export function policyScheduleHooks(store: Store, client: Client): PolicyHooks {
  return {
    async saved(policy) {
      const schedule = await policySchedule(store, policy);
      if (schedule) await upsertPolicySchedule(client, schedule);
      else await deletePolicySchedule(client, policy.id);
    },
    async deleting(policy) {
      if (await hasRunInProgress(client, policy.id)) {
        throw new PreconditionError(`policy ${policy.name} has an execution in progress; stop it first`);
      }
    },
    async deleted(policy) {
      await deletePolicySchedule(client, policy.id);
    },
  };
}
