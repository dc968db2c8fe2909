import { policySnapshot, type PolicySnapshot, type StoredPolicy } from '../policies/index.js';
import type { Store } from '../store/index.js';

/** The snapshot of a stored policy, with its registries' names read from the store. */
export async function storedPolicySnapshot(store: Store, policy: StoredPolicy): Promise<PolicySnapshot> {
  const registries = await store.registries.byIds([policy.src_registry_id, ...policy.dest_registry_ids]);
  return policySnapshot(policy, (id) => registries.get(id)?.name ?? `registry-${id}`);
}
