import { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';
import type { StoredPolicy } from './policy-definition.js';
import { DriftAuditSetting } from './drift-audit-setting.js';
import { ReplicationFilter } from './replication-filter.js';
import { Mirror, Platform } from './replication-policy.js';
import { Registry } from './registry.js';
import { ReplicationTrigger } from './replication-trigger.js';

/** A policy as the API returns it: Harbor's shape with the registry objects embedded. */
export const ReplicationPolicy = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  src_registry: Registry,
  dest_registry: Registry,
  dest_registries: z.array(Registry),
  dest_namespace: z.string(),
  dest_namespace_replace_count: z.number().int(),
  trigger: ReplicationTrigger,
  filters: z.array(ReplicationFilter),
  deletion: z.boolean(),
  replicate_deletion: z.boolean(),
  override: z.boolean(),
  enabled: z.boolean(),
  speed: z.number().int(),
  copy_by_chunk: z.boolean(),
  single_active_replication: z.boolean(),
  platforms: z.array(Platform).optional(),
  replicate_referrers: z.boolean(),
  mirror: Mirror.optional(),
  drift_audit: DriftAuditSetting.optional(),
  creation_time: z.string(),
  update_time: z.string(),
});
export type ReplicationPolicy = z.infer<typeof ReplicationPolicy>;

/** Renders a stored policy with its registries, which must all be given. */
export function replicationPolicyView(
  policy: StoredPolicy,
  registries: ReadonlyMap<number, Registry>,
): ReplicationPolicy {
  const registry = (id: number) => {
    const found = registries.get(id);
    if (!found)
      throw new InvalidInputError(`registry ${id} of policy ${policy.id} is not known`, 'registries');
    return found;
  };
  const { src_registry_id, dest_registry_ids, replicate_deletion, ...rest } = policy;
  const destinations = dest_registry_ids.map(registry);
  return {
    ...rest,
    src_registry: registry(src_registry_id),
    dest_registry: destinations[0]!,
    dest_registries: destinations,
    deletion: replicate_deletion,
    replicate_deletion,
  };
}
