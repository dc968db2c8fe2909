import { z } from 'zod';
import { isRepositoryName } from '../registry/reference.js';
import { ReplicationFilter } from './replication-filter.js';
import { ReplicationTrigger } from './replication-trigger.js';
import { DriftAuditSetting } from './drift-audit-setting.js';

/** A registry named by id; the rest of a Registry object copied from a GET is ignored. */
const RegistryRef = z.looseObject({ id: z.number().int().positive() });

export const Platform = z.strictObject({
  os: z.string().regex(/^[a-z0-9._-]{1,64}$/),
  architecture: z.string().regex(/^[a-z0-9._-]{1,64}$/),
  variant: z
    .string()
    .regex(/^[a-z0-9._-]{1,64}$/)
    .optional(),
});
export type Platform = z.infer<typeof Platform>;

/** Disaster-recovery mirroring: prune what the source no longer has, within guardrails. */
export const Mirror = z.strictObject({
  prune: z.boolean().optional(),
  /** Refuse a prune that would delete more than this share of the destination's tags. */
  max_delete_ratio: z.number().min(0).max(1).optional(),
  /** Globs of repositories or tags never pruned. */
  protect: z.array(z.string().min(1).max(255)).max(100).optional(),
});
export type Mirror = z.infer<typeof Mirror>;

const DestNamespace = z
  .string()
  .max(255)
  .refine((value) => value === '' || isRepositoryName(value), 'is not a valid repository path');

/**
 * The body of `POST` and `PUT /replication/policies`: Harbor's ReplicationPolicy as Harbor users
 * send it, plus Regatta's extensions (`dest_registries` fan-out, `platforms`,
 * `replicate_referrers`, `mirror`, `drift_audit`). Output fields copied back from a GET are accepted.
 */
export const ReplicationPolicyInput = z
  .strictObject({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(1024).nullable().optional(),
    src_registry: RegistryRef,
    dest_registry: RegistryRef.nullable().optional(),
    dest_registries: z.array(RegistryRef).min(1).max(100).optional(),
    dest_namespace: DestNamespace.nullable().optional(),
    dest_namespace_replace_count: z.number().int().min(-1).max(127).nullable().optional(),
    trigger: ReplicationTrigger.nullable().optional(),
    filters: z.array(ReplicationFilter).max(50).nullable().optional(),
    deletion: z.boolean().optional(),
    replicate_deletion: z.boolean().optional(),
    override: z.boolean().optional(),
    enabled: z.boolean().optional(),
    /** KiB/s for a run; -1 or 0 is unlimited. */
    speed: z.number().int().min(-1).max(2_147_483_647).nullable().optional(),
    copy_by_chunk: z.boolean().nullable().optional(),
    single_active_replication: z.boolean().nullable().optional(),
    platforms: z.array(Platform).max(32).optional(),
    replicate_referrers: z.boolean().optional(),
    mirror: Mirror.nullable().optional(),
    drift_audit: DriftAuditSetting.nullable().optional(),
    id: z.unknown().optional(),
    creator: z.unknown().optional(),
    creation_time: z.unknown().optional(),
    update_time: z.unknown().optional(),
  })
  .superRefine((policy, context) => {
    const destinations = policy.dest_registries?.map((registry) => registry.id);
    if (!destinations && !policy.dest_registry) {
      context.addIssue({
        code: 'custom',
        path: ['dest_registry'],
        message: 'dest_registry or dest_registries is required',
      });
    }
    if (destinations && new Set(destinations).size !== destinations.length) {
      context.addIssue({ code: 'custom', path: ['dest_registries'], message: 'names a registry twice' });
    }
    if (destinations && policy.dest_registry && !destinations.includes(policy.dest_registry.id)) {
      context.addIssue({
        code: 'custom',
        path: ['dest_registry'],
        message: 'must be one of dest_registries',
      });
    }
    if (
      policy.deletion !== undefined &&
      policy.replicate_deletion !== undefined &&
      policy.deletion !== policy.replicate_deletion
    ) {
      context.addIssue({ code: 'custom', path: ['replicate_deletion'], message: 'disagrees with deletion' });
    }
    // Pruning compares names at the source and the destination, so they must be the same names.
    if (policy.mirror?.prune && policy.dest_namespace) {
      context.addIssue({
        code: 'custom',
        path: ['mirror', 'prune'],
        message: 'needs the same repository names at the destination: remove dest_namespace',
      });
    }
    // Harbor answers 500 here; an event per push cannot wait for the previous run.
    if (policy.single_active_replication && policy.trigger?.type === 'event_based') {
      context.addIssue({
        code: 'custom',
        path: ['single_active_replication'],
        message: 'cannot be used with an event_based trigger',
      });
    }
  });
export type ReplicationPolicyInput = z.infer<typeof ReplicationPolicyInput>;

/** The registries a policy copies to: `dest_registries` when given, else `[dest_registry]`. */
export function destinationRegistryIds(policy: {
  dest_registry?: { id: number } | null | undefined;
  dest_registries?: ReadonlyArray<{ id: number }> | undefined;
}): number[] {
  if (policy.dest_registries?.length) return policy.dest_registries.map((registry) => registry.id);
  return policy.dest_registry ? [policy.dest_registry.id] : [];
}
