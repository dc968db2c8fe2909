import { z } from 'zod';
import { isRepositoryName, repositoryPattern } from '../oci/index.js';
import { DriftAuditSetting } from './drift-audit-setting.js';
import { registryTree, OnHubFailure } from './registry-tree.js';
import { GlobPattern, ReplicationFilters } from './replication-filter.js';
import { ReplicationTrigger } from './replication-trigger.js';

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
  /**
   * Refuse a prune that would delete more than this share of any one repository's tags (a
   * repository wiped at the source among many kept ones); unset, only the whole share is bounded.
   */
  max_delete_ratio_per_repository: z.number().min(0).max(1).optional(),
  /** Globs of repositories or tags never pruned. */
  protect: z.array(GlobPattern.min(1)).max(100).optional(),
});
export type Mirror = z.infer<typeof Mirror>;

const DestNamespace = z
  .string()
  .max(255)
  .refine((value) => value === '' || isRepositoryName(value), 'is not a valid repository path')
  .meta({ anyOf: [{ maxLength: 0 }, { pattern: repositoryPattern.source }] });

/**
 * A policy as Regatta keeps it: Harbor's fields with Harbor's defaults applied, registries by id,
 * in fan-out form, plus Regatta's extensions. Every other shape of a policy is derived from this
 * one schema: the POST/PUT body, the stored record, the API's view and the run's snapshot.
 */
export const PolicyDefinition = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(1024),
  src_registry_id: z.number().int().positive(),
  /** The first is the one Harbor's `dest_registry` shows; with a tree, its registries parents first. */
  dest_registry_ids: z.array(z.number().int().positive()).min(1).max(100),
  /** Hubs feeding their own sites: each registry is copied from its parent, the source at the top. */
  tree: registryTree(z.strictObject({ id: z.number().int().positive() })).optional(),
  /** What a hub's subtree does when the hub fails, unless the hub says otherwise; `fail` when omitted. */
  on_hub_failure: OnHubFailure.optional(),
  dest_namespace: DestNamespace,
  /** -1: keep only the last component of a name; 0: keep all; n: drop the first n. */
  dest_namespace_replace_count: z.number().int().min(-1).max(127),
  trigger: ReplicationTrigger,
  filters: ReplicationFilters,
  replicate_deletion: z.boolean(),
  override: z.boolean(),
  enabled: z.boolean(),
  /** KiB/s for a run; -1 or 0 is unlimited. */
  speed: z.number().int().min(-1).max(2_147_483_647),
  copy_by_chunk: z.boolean(),
  single_active_replication: z.boolean(),
  platforms: z.array(Platform).max(32).optional(),
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

/** Without a stated ratio a mirror run refuses to delete more than a fifth of a site's tags. */
export const defaultMaxDeleteRatio = 0.2;
