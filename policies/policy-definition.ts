import { z } from 'zod';
import { DriftAuditSetting } from './drift-audit-setting.js';
import { ReplicationFilter } from './replication-filter.js';
import {
  Mirror,
  Platform,
  destinationRegistryIds,
  type ReplicationPolicyInput,
} from './replication-policy.js';
import { ReplicationTrigger } from './replication-trigger.js';

/** A policy as Regatta keeps it: Harbor's defaults applied, registries by id, in fan-out form. */
export const PolicyDefinition = z.object({
  name: z.string(),
  description: z.string(),
  src_registry_id: z.number().int(),
  /** The first is the one Harbor's `dest_registry` shows. */
  dest_registry_ids: z.array(z.number().int()).min(1),
  dest_namespace: z.string(),
  dest_namespace_replace_count: z.number().int(),
  trigger: ReplicationTrigger,
  filters: z.array(ReplicationFilter),
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
});
export type PolicyDefinition = z.infer<typeof PolicyDefinition>;

/** A stored policy: its definition, id and times. */
export const StoredPolicy = PolicyDefinition.extend({
  id: z.number().int(),
  creation_time: z.string(),
  update_time: z.string(),
});
export type StoredPolicy = z.infer<typeof StoredPolicy>;

/** Applies Harbor's defaults to a validated body (`override` and `enabled` default to true). */
export function policyDefinitionFromInput(input: ReplicationPolicyInput): PolicyDefinition {
  const ids = destinationRegistryIds(input);
  const first = input.dest_registry?.id;
  // Keep `dest_registry` first so a GET shows the destination the client named.
  const destRegistryIds = first === undefined ? ids : [first, ...ids.filter((id) => id !== first)];
  return {
    name: input.name,
    description: input.description ?? '',
    src_registry_id: input.src_registry.id,
    dest_registry_ids: destRegistryIds,
    dest_namespace: input.dest_namespace ?? '',
    dest_namespace_replace_count: input.dest_namespace_replace_count ?? -1,
    trigger: input.trigger ?? { type: 'manual' },
    filters: input.filters ?? [],
    replicate_deletion: input.replicate_deletion ?? input.deletion ?? false,
    override: input.override ?? true,
    enabled: input.enabled ?? true,
    speed: input.speed ?? -1,
    copy_by_chunk: input.copy_by_chunk ?? false,
    single_active_replication: input.single_active_replication ?? false,
    ...(input.platforms ? { platforms: input.platforms } : {}),
    replicate_referrers: input.replicate_referrers ?? false,
    ...(input.mirror ? { mirror: input.mirror } : {}),
    ...(input.drift_audit ? { drift_audit: input.drift_audit } : {}),
  };
}
