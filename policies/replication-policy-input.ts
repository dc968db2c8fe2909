import { z } from 'zod';
import { nullishFields } from './nullish-fields.js';
import { PolicyDefinition } from './policy-definition.js';
import { registryTree, treeIssues, treeMembers } from './registry-tree.js';

/** A registry named by id; the rest of a Registry object copied from a GET is ignored. */
const RegistryRef = z.looseObject({ id: z.number().int().positive() });

/**
 * The body of `POST` and `PUT /replication/policies`: Harbor's ReplicationPolicy as Harbor users
 * send it (registries as objects, `deletion` for `replicate_deletion`, null for "default" where
 * Harbor's clients send it), plus Regatta's extensions (`dest_registries` fan-out, `platforms`,
 * `replicate_referrers`, `mirror`, `drift_audit`). Output fields copied back from a GET are accepted.
 */
export const ReplicationPolicyInput = PolicyDefinition.omit({
  src_registry_id: true,
  dest_registry_ids: true,
  tree: true,
})
  .partial()
  .required({ name: true })
  .extend(
    nullishFields(
      PolicyDefinition.pick({
        description: true,
        dest_namespace: true,
        dest_namespace_replace_count: true,
        trigger: true,
        filters: true,
        speed: true,
        copy_by_chunk: true,
        single_active_replication: true,
        mirror: true,
        drift_audit: true,
      }).shape,
    ),
  )
  .extend({
    src_registry: RegistryRef,
    dest_registry: RegistryRef.nullable().optional(),
    dest_registries: z.array(RegistryRef).min(1).max(100).optional(),
    tree: registryTree(RegistryRef).optional(),
    deletion: z.boolean().optional(),
    ...nullishFields({
      id: z.number().int().positive(),
      creator: z.unknown(),
      creation_time: z.unknown(),
      update_time: z.unknown(),
    }),
  })
  .strict()
  .superRefine((policy, context) => {
    const destinations = policy.dest_registries?.map((registry) => registry.id);
    if (policy.tree) {
      checkTree(policy as ReplicationPolicyInput & { tree: TreeInput }, context);
      return;
    }
    if (policy.on_hub_failure) {
      context.addIssue({ code: 'custom', path: ['on_hub_failure'], message: 'needs a tree' });
    }
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
    // An event run copies the tag pushed; which tags are the newest or young enough is known only
    // from the whole tag list, which manual and scheduled runs read.
    if (policy.trigger?.type === 'event_based') {
      policy.filters?.forEach((filter, index) => {
        if (filter.type === 'newest' || filter.type === 'max_age')
          context.addIssue({
            code: 'custom',
            path: ['filters', index, 'type'],
            message: `${filter.type} cannot be used with an event_based trigger: it judges a repository's whole tag list`,
          });
      });
    }
  })
  // The checks above that JSON Schema can state, for the OpenAPI document. It cannot state that
  // dest_registry is one of dest_registries, nor that no registry is named twice.
  .meta({
    anyOf: [
      { required: ['tree'] },
      { required: ['dest_registries'] },
      { required: ['dest_registry'], properties: { dest_registry: { type: 'object' } } },
    ],
    allOf: [
      {
        not: {
          required: ['deletion', 'replicate_deletion'],
          anyOf: [
            { properties: { deletion: { const: true }, replicate_deletion: { const: false } } },
            { properties: { deletion: { const: false }, replicate_deletion: { const: true } } },
          ],
        },
      },
      {
        not: {
          required: ['mirror', 'dest_namespace'],
          properties: {
            mirror: { type: 'object', required: ['prune'], properties: { prune: { const: true } } },
            dest_namespace: { type: 'string', minLength: 1 },
          },
        },
      },
      {
        not: {
          required: ['single_active_replication', 'trigger'],
          properties: {
            single_active_replication: { const: true },
            trigger: { type: 'object', required: ['type'], properties: { type: { const: 'event_based' } } },
          },
        },
      },
    ],
  });
export type ReplicationPolicyInput = z.infer<typeof ReplicationPolicyInput>;
type TreeInput = NonNullable<ReplicationPolicyInput['tree']>;

/** A tree's own rules, and `dest_registries`/`dest_registry` (as a GET shows them) agreeing with it. */
function checkTree(policy: ReplicationPolicyInput & { tree: TreeInput }, context: z.RefinementCtx): void {
  for (const issue of treeIssues(policy.tree, policy.src_registry.id))
    context.addIssue({ code: 'custom', path: ['tree', ...issue.path], message: issue.message });
  const inTree = new Set(treeMembers(policy.tree).map((member) => member.registryId));
  const listed = policy.dest_registries?.map((registry) => registry.id);
  if (listed && (listed.length !== inTree.size || !listed.every((id) => inTree.has(id)))) {
    context.addIssue({
      code: 'custom',
      path: ['dest_registries'],
      message: "must list the tree's registries, or be left out",
    });
  }
  if (policy.dest_registry && !inTree.has(policy.dest_registry.id)) {
    context.addIssue({ code: 'custom', path: ['dest_registry'], message: 'must be a registry of the tree' });
  }
  // A hub holds the names the source has: renaming again at every level would be a surprise.
  if (policy.dest_namespace) {
    context.addIssue({ code: 'custom', path: ['dest_namespace'], message: 'cannot be used with a tree' });
  }
}

/** The registries a policy copies to: `dest_registries` when given, else `[dest_registry]`. */
export function destinationRegistryIds(policy: {
  dest_registry?: { id: number } | null | undefined;
  dest_registries?: ReadonlyArray<{ id: number }> | undefined;
}): number[] {
  if (policy.dest_registries?.length) return policy.dest_registries.map((registry) => registry.id);
  return policy.dest_registry ? [policy.dest_registry.id] : [];
}

/** Applies Harbor's defaults to a validated body (`override` and `enabled` default to true). */
export function policyDefinitionFromInput(input: ReplicationPolicyInput): PolicyDefinition {
  const ids = destinationRegistryIds(input);
  const first = input.dest_registry?.id;
  // Keep `dest_registry` first so a GET shows the destination the client named.
  const destRegistryIds = first === undefined ? ids : [first, ...ids.filter((id) => id !== first)];
  const tree = input.tree ? treeOfIds(input.tree) : undefined;
  return {
    name: input.name,
    description: input.description ?? '',
    src_registry_id: input.src_registry.id,
    dest_registry_ids: tree ? treeMembers(tree).map((member) => member.registryId) : destRegistryIds,
    ...(tree ? { tree } : {}),
    ...(input.on_hub_failure ? { on_hub_failure: input.on_hub_failure } : {}),
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

/** The tree with each registry by id only (a body may embed whole Registry objects, as a GET shows them). */
function treeOfIds(tree: TreeInput): NonNullable<PolicyDefinition['tree']> {
  return tree.map((node) => ({
    registry: { id: node.registry.id },
    ...(node.on_hub_failure ? { on_hub_failure: node.on_hub_failure } : {}),
    ...(node.children ? { children: treeOfIds(node.children) } : {}),
  }));
}
