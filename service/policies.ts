import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import {
  policyDefinitionFromInput,
  type ReplicationPolicyInput,
  type StoredPolicy,
  type StoredRegistry,
} from '../policies/index.js';
import { PreconditionError, type ListPage, type ListQuery, type Store } from '../store/index.js';
import { previewFilters, type FilterPreviewInput } from './filter-preview.js';
import {
  dropPolicySchedules,
  keepPolicySchedules,
  reconcilePolicySchedules,
  type ScheduleSettings,
} from './policy-schedules.js';
import { hasRunInProgress } from './runs-in-progress.js';

/** Policies with the registries they name, all of them, for rendering. */
export interface PoliciesWithRegistries<T> {
  policies: T;
  registries: Map<number, StoredRegistry>;
}

/**
 * Harbor's replication policies: kept in the store, each scheduled policy with its Temporal
 * Schedules in step (created, paused while disabled, deleted with it).
 */
export function createPolicies(store: Store, client: Client, schedules: ScheduleSettings) {
  const registriesOf = async (policies: readonly StoredPolicy[]) =>
    store.registries.byIds([
      ...new Set(policies.flatMap((policy) => [policy.src_registry_id, ...policy.dest_registry_ids])),
    ]);

  return {
    async list(query: ListQuery): Promise<PoliciesWithRegistries<ListPage<StoredPolicy>>> {
      const page = await store.policies.list(query);
      return { policies: page, registries: await registriesOf(page.items) };
    },

    async get(id: number): Promise<PoliciesWithRegistries<StoredPolicy>> {
      const policy = await store.policies.get(id);
      return { policies: policy, registries: await registriesOf([policy]) };
    },

    async create(input: ReplicationPolicyInput): Promise<StoredPolicy> {
      const created = await store.policies.create(policyDefinitionFromInput(input));
      await keepPolicySchedules(store, client, created, schedules);
      return created;
    },

    async update(id: number, input: ReplicationPolicyInput): Promise<StoredPolicy> {
      const updated = await store.policies.update(id, policyDefinitionFromInput(input));
      await keepPolicySchedules(store, client, updated, schedules);
      return updated;
    },

    /** Enables or disables a policy, leaving the rest as it is; its schedules pause and resume with it. */
    async setEnabled(id: number, enabled: boolean): Promise<StoredPolicy> {
      const updated = await store.policies.update(id, { ...(await store.policies.get(id)), enabled });
      await keepPolicySchedules(store, client, updated, schedules);
      return updated;
    },

    /** What filters select at a source now (bounded in time and count); reads, writes nothing. */
    preview: (input: FilterPreviewInput) => previewFilters(store, input),

    /**
     * Refused (412) while a run of the policy is in progress: stop it first. Its closed
     * executions go with it, as Harbor's do.
     */
    async delete(id: number): Promise<void> {
      const policy = await store.policies.get(id);
      if (await hasRunInProgress(client, policy.id))
        throw new PreconditionError(`policy ${policy.name} has an execution in progress; stop it first`);
      await store.policies.delete(policy.id);
      await dropPolicySchedules(client, policy.id);
      // A sweep takes a bounded number at a time.
      while ((await store.executions.sweep(policy.id, 0)) > 0);
    },

    /** At start-up: Temporal's schedules made to agree with the stored policies. */
    reconcileSchedules: (logger: Logger): Promise<void> =>
      reconcilePolicySchedules(store, client, logger, schedules),
  };
}
export type Policies = ReturnType<typeof createPolicies>;
