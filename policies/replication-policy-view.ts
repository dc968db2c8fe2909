import { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';
import { StoredPolicy } from './policy-definition.js';
import { Registry } from './registry.js';
import { registryTree, type TreeNode } from './registry-tree.js';

/** A policy as the API returns it: Harbor's shape, the registry objects embedded. */
export const ReplicationPolicy = StoredPolicy.omit({
  src_registry_id: true,
  dest_registry_ids: true,
  tree: true,
}).extend({
  src_registry: Registry,
  dest_registry: Registry,
  dest_registries: z.array(Registry),
  tree: registryTree(Registry).optional(),
  deletion: z.boolean(),
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
  const withRegistries = (nodes: ReadonlyArray<TreeNode<{ id: number }>>): Array<TreeNode<Registry>> =>
    nodes.map(({ registry: { id }, children, ...node }) => ({
      ...node,
      registry: registry(id),
      ...(children ? { children: withRegistries(children) } : {}),
    }));
  const { src_registry_id, dest_registry_ids, tree, ...rest } = policy;
  const destinations = dest_registry_ids.map(registry);
  return {
    ...rest,
    ...(tree ? { tree: withRegistries(tree) } : {}),
    src_registry: registry(src_registry_id),
    dest_registry: destinations[0]!,
    dest_registries: destinations,
    deletion: policy.replicate_deletion,
  };
}
