import { z } from 'zod';
import { fromLegacySnapshot } from './legacy-snapshot.js';
import { StoredPolicy } from './policy-definition.js';

/** A destination of a run: a registry by id, with its name for task resources and labels. */
export const SnapshotDestination = z.object({ registry_id: z.number().int(), name: z.string() });
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
  return PolicySnapshot.parse({
    ...policy,
    destinations: policy.dest_registry_ids.map((registry_id) => ({
      registry_id,
      name: registryName(registry_id),
    })),
  });
}
