import { z } from 'zod';

/**
 * What a hub's subtree does when the hub cannot be copied to: `fail` (its registries' tasks fail,
 * saying why) or `from_parent` (they are copied from the hub's own parent instead).
 */
export const OnHubFailure = z.enum(['fail', 'from_parent']).meta({
  description:
    "when a hub fails: its subtree's tasks fail (fail) or are copied from the hub's parent (from_parent)",
});
export type OnHubFailure = z.infer<typeof OnHubFailure>;

/** One registry of a replication tree: copied from its parent (the source at the top), it feeds its children. */
export interface TreeNode<Registry> {
  registry: Registry;
  /** Overrides the policy's `on_hub_failure` for this hub. */
  on_hub_failure?: OnHubFailure | undefined;
  children?: Array<TreeNode<Registry>> | undefined;
}

/** Levels below the source a tree may have. */
export const maxTreeDepth = 8;
/** Registries in a tree, as in `dest_registries`. */
export const maxTreeRegistries = 100;

/**
 * A tree of registries, the registry of each node given by `registry` (an `{id}` in a policy, a
 * whole Registry in the API's view): one shape for every form of a policy.
 */
export function registryTree<Registry>(registry: z.ZodType<Registry>): z.ZodType<Array<TreeNode<Registry>>> {
  const Node: z.ZodType<TreeNode<Registry>> = z.lazy(() =>
    z.strictObject({
      registry,
      on_hub_failure: OnHubFailure.optional(),
      children: z.array(Node).min(1).max(maxTreeRegistries).optional(),
    }),
  );
  return z.array(Node).min(1).max(maxTreeRegistries).meta({
    description:
      'registries fed level by level: each is copied from its parent (the source at the top), so each link carries each blob once; instead of dest_registries',
  });
}

/** A registry of a tree in the order a run copies them: every parent before its children. */
export interface TreeMember {
  registryId: number;
  /** Absent at the top: the policy's source is the parent. */
  parentRegistryId?: number;
  /** For a registry with children: what its subtree does when it fails. */
  onHubFailure?: OnHubFailure;
}

/** The tree's registries breadth first, each with its parent and, for hubs, its fallback. */
export function treeMembers(
  tree: ReadonlyArray<TreeNode<{ id: number }>>,
  onHubFailure: OnHubFailure = 'fail',
): TreeMember[] {
  const members: TreeMember[] = [];
  let level = tree.map((node) => ({ node, parent: undefined as number | undefined }));
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { node, parent } of level) {
      members.push({
        registryId: node.registry.id,
        ...(parent !== undefined ? { parentRegistryId: parent } : {}),
        ...(node.children ? { onHubFailure: node.on_hub_failure ?? onHubFailure } : {}),
      });
      for (const child of node.children ?? []) next.push({ node: child, parent: node.registry.id });
    }
    level = next;
  }
  return members;
}

export interface TreeIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * What is wrong with a tree, each issue with the path of the registry it is about: a registry
 * that is its own ancestor (a cycle), one named twice, the policy's source in the tree, a tree
 * deeper than `maxTreeDepth` or with more than `maxTreeRegistries` registries.
 */
export function treeIssues(tree: ReadonlyArray<TreeNode<{ id: number }>>, sourceId: number): TreeIssue[] {
  const issues: TreeIssue[] = [];
  const seen = new Set<number>();
  let count = 0;
  const visit = (
    nodes: ReadonlyArray<TreeNode<{ id: number }>>,
    path: Array<string | number>,
    ancestors: number[],
  ) => {
    nodes.forEach((node, index) => {
      const at = [...path, index];
      const id = node.registry.id;
      const field = [...at, 'registry', 'id'];
      count++;
      if (id === sourceId)
        issues.push({ path: field, message: `registry ${id} is the policy's source, not a destination` });
      else if (ancestors.includes(id))
        issues.push({ path: field, message: `registry ${id} is its own ancestor: a cycle` });
      else if (seen.has(id)) issues.push({ path: field, message: `registry ${id} is in the tree twice` });
      seen.add(id);
      if (!node.children) return;
      if (ancestors.length + 1 >= maxTreeDepth)
        issues.push({ path: [...at, 'children'], message: `the tree is deeper than ${maxTreeDepth} levels` });
      else visit(node.children, [...at, 'children'], [...ancestors, id]);
    });
  };
  visit(tree, [], []);
  if (count > maxTreeRegistries)
    issues.push({ path: [], message: `has more than ${maxTreeRegistries} registries` });
  return issues;
}
