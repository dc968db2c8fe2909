import { z } from 'zod';
import { fromLegacySnapshot } from './legacy-snapshot.js';
import { StoredPolicy } from './policy-definition.js';
import { OnHubFailure, treeMembers } from './registry-tree.js';

/**
 * A destination of a run: a registry by id, with its name for task resources and labels. In a
 * tree, it is copied from `parent_registry_id` (absent: from the source), and a hub says what its
 * subtree does when it fails.
 */
export const SnapshotDestination = z.object({
  registry_id: z.number().int(),
  name: z.string(),
  parent_registry_id: z.number().int().optional(),
  on_hub_failure: OnHubFailure.optional(),
});
export type SnapshotDestination = z.infer<typeof SnapshotDestination>;

/**
 * What a run carries of its policy, taken when it starts: the stored policy's fields a run reads,
 * and its destinations by id and name. Never a credential: activities resolve those from the
 * registry ids, so secrets stay out of workflow history.
 */
const CurrentSnapshot = StoredPolicy.pick({
  id: true,
  name: true,
  src_registry_id: true,
  filters: true,
  dest_namespace: true,
  dest_namespace_replace_count: true,
  override: true,
  replicate_deletion: true,
  speed: true,
  platforms: true,
  replicate_referrers: true,
  mirror: true,
  copy_by_chunk: true,
}).extend({
  destinations: z.array(SnapshotDestination).min(1),
  // Snapshots taken before runs read it (runs in flight, schedules) upload as they did: by size.
  copy_by_chunk: StoredPolicy.shape.copy_by_chunk.default(false),
});

/** Runs started by an earlier release carry the legacy form: it is read as today's. */
export const PolicySnapshot = z.preprocess(fromLegacySnapshot, CurrentSnapshot);
export type PolicySnapshot = z.infer<typeof CurrentSnapshot>;

/** The snapshot of a stored policy; `registryName` names each destination. */
export function policySnapshot(policy: StoredPolicy, registryName: (id: number) => string): PolicySnapshot {
  const members = new Map(
    treeMembers(policy.tree ?? [], policy.on_hub_failure).map((member) => [member.registryId, member]),
  );
  return PolicySnapshot.parse({
    ...policy,
    destinations: policy.dest_registry_ids.map((registry_id) => {
      const member = members.get(registry_id);
      return {
        registry_id,
        name: registryName(registry_id),
        ...(member?.parentRegistryId !== undefined ? { parent_registry_id: member.parentRegistryId } : {}),
        ...(member?.onHubFailure ? { on_hub_failure: member.onHubFailure } : {}),
      };
    }),
  });
}
