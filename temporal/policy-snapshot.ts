import type { StoredPolicy } from '../policies/index.js';
import type { Store } from '../store/index.js';
import type { PolicySnapshot } from '../workflows/replication-model.js';

/** Without a stated ratio a mirror run refuses to delete more than a fifth of a site's tags. */
export const defaultMaxDeleteRatio = 0.2;

/** What a run carries of its policy: registries by id and name, never their credentials. */
export function policySnapshot(policy: StoredPolicy, registryName: (id: number) => string): PolicySnapshot {
  return {
    id: policy.id,
    name: policy.name,
    srcRegistryId: policy.src_registry_id,
    destinations: policy.dest_registry_ids.map((registryId) => ({
      registryId,
      name: registryName(registryId),
    })),
    filters: policy.filters,
    ...(policy.dest_namespace ? { destNamespace: policy.dest_namespace } : {}),
    destNamespaceReplaceCount: policy.dest_namespace_replace_count,
    override: policy.override,
    replicateDeletion: policy.replicate_deletion,
    ...(policy.speed > 0 ? { speedKiBps: policy.speed } : {}),
    ...(policy.platforms?.length ? { platforms: policy.platforms } : {}),
    replicateReferrers: policy.replicate_referrers,
    ...(policy.mirror?.prune
      ? {
          mirror: {
            prune: true,
            maxDeleteRatio: policy.mirror.max_delete_ratio ?? defaultMaxDeleteRatio,
            protect: policy.mirror.protect ?? [],
          },
        }
      : {}),
  };
}

/** The snapshot of a stored policy, with its registries' names read from the store. */
export async function storedPolicySnapshot(store: Store, policy: StoredPolicy): Promise<PolicySnapshot> {
  const registries = await store.registries.byIds([policy.src_registry_id, ...policy.dest_registry_ids]);
  return policySnapshot(policy, (id) => registries.get(id)?.name ?? `registry-${id}`);
}
