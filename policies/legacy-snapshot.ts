import { z } from 'zod';
import { ReplicationFilter } from './replication-filter.js';

/**
 * The camelCase snapshot runs carried before the snapshot was derived from the stored policy
 * (releases up to b1d9b19). Runs in flight and Temporal Schedules made then still hold it, so a
 * snapshot in this form is read and converted; nothing writes it any more.
 */
const LegacySnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  srcRegistryId: z.number().int(),
  destinations: z.array(z.object({ registryId: z.number().int(), name: z.string() })),
  filters: z.array(ReplicationFilter),
  destNamespace: z.string().optional(),
  destNamespaceReplaceCount: z.number().int().default(-1),
  override: z.boolean().default(true),
  replicateDeletion: z.boolean().default(false),
  speedKiBps: z.number().optional(),
  platforms: z.array(z.unknown()).optional(),
  replicateReferrers: z.boolean().default(false),
  mirror: z
    .object({ prune: z.boolean(), maxDeleteRatio: z.number(), protect: z.array(z.string()) })
    .optional(),
});

/** A legacy snapshot in today's form; anything else is returned as it is, to be validated as today's. */
export function fromLegacySnapshot(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('srcRegistryId' in value)) return value;
  const legacy = LegacySnapshot.parse(value);
  return {
    id: legacy.id,
    name: legacy.name,
    src_registry_id: legacy.srcRegistryId,
    destinations: legacy.destinations.map(({ registryId, name }) => ({ registry_id: registryId, name })),
    filters: legacy.filters,
    dest_namespace: legacy.destNamespace ?? '',
    dest_namespace_replace_count: legacy.destNamespaceReplaceCount,
    override: legacy.override,
    replicate_deletion: legacy.replicateDeletion,
    speed: legacy.speedKiBps ?? -1,
    ...(legacy.platforms ? { platforms: legacy.platforms } : {}),
    replicate_referrers: legacy.replicateReferrers,
    ...(legacy.mirror
      ? {
          mirror: {
            prune: legacy.mirror.prune,
            max_delete_ratio: legacy.mirror.maxDeleteRatio,
            protect: legacy.mirror.protect,
          },
        }
      : {}),
  };
}
