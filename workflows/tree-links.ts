import { describeArtifact, type Artifact, type ReplicationTask } from '../contract/index.js';
import type { PolicySnapshot, SnapshotDestination } from '../policies/index.js';

/** A link of a tree: the tasks whose artifacts one registry (the source or a hub) feeds. */
export interface TreeLink {
  sourceRegistryId: number;
  tasks: ReplicationTask[];
  /** The artifact as that registry holds it, by the task's artifact index. */
  artifactAt: (index: number) => Artifact;
}

/** A task no registry can feed: its hub failed and the hub's subtree fails with it. */
export interface UnfedTask {
  task: ReplicationTask;
  error: { code: string; message: string };
}

/** A tree's destinations level by level, parents first; undefined for a flat policy. */
export function treeLevels(policy: PolicySnapshot): SnapshotDestination[][] | undefined {
  if (!policy.destinations.some((destination) => destination.parent_registry_id !== undefined))
    return undefined;
  const byId = new Map(policy.destinations.map((destination) => [destination.registry_id, destination]));
  const depthOf = (destination: SnapshotDestination) => {
    let depth = 0;
    // Bounded by the destinations: a validated tree has no cycle, a corrupt one does not loop.
    for (
      let parent = destination.parent_registry_id;
      parent !== undefined && depth < policy.destinations.length;
      parent = byId.get(parent)?.parent_registry_id
    )
      depth++;
    return depth;
  };
  const levels: SnapshotDestination[][] = [];
  for (const destination of policy.destinations) (levels[depthOf(destination)] ??= []).push(destination);
  return levels.filter((level) => level.length > 0);
}

/** Where a task's artifact comes from: the registry read, the artifact as held there, the link it is named by. */
type Feeder =
  | {
      /** The registry the copy reads: the parent, or in a plan the registry the parent would be copied from. */
      registryId: number;
      artifact: Artifact;
      /** The hub the task names as its source (absent: the policy's source). */
      hub?: { name: string; artifact: Artifact };
      /** What the task's log says of its link: a hub that kept its own digest, or that failed. */
      note?: string;
    }
  | { error: { code: string; message: string } };

/**
 * The links that copy one level's pending tasks, a link per registry that feeds them: each
 * registry's parent once the parent holds the artifact. When the parent did not get it, the
 * parent's `on_hub_failure` decides: `from_parent` goes up to the parent's own parent (and so on
 * up to the source), `fail` leaves the task unfed with HUB_FAILED, naming the hub and its error.
 * A hub that kept its own digest (override off) feeds its children that digest, and their tasks
 * say so. In a plan (a dry run), a hub that would be copied holds nothing yet: its children are
 * planned from what the hub's own link reads, the same bytes the hub would hold after the run,
 * and still named as fed by the hub.
 */
export function linksOfLevel(
  policy: PolicySnapshot,
  level: readonly SnapshotDestination[],
  artifacts: readonly Artifact[],
  tasks: readonly ReplicationTask[],
): { links: TreeLink[]; unfed: UnfedTask[] } {
  const byId = new Map(policy.destinations.map((destination) => [destination.registry_id, destination]));
  const taskAt = new Map(tasks.map((task) => [`${task.artifactIndex}:${task.destinationRegistryId}`, task]));
  const feeder = (destination: SnapshotDestination, index: number): Feeder => {
    const artifact = artifacts[index]!;
    // An artifact the source could not list fails at the source's link, with the source's reason.
    if (artifact.error) return { registryId: policy.src_registry_id, artifact };
    /** The nearest hub that did not get the artifact, when its subtree falls back past it. */
    let failed: string | undefined;
    const noted = (from: string, extra?: string) => {
      const notes = [failed && `${failed}: copied from ${from} instead`, extra].filter(Boolean);
      return notes.length > 0 ? { note: notes.join('; ') } : {};
    };
    let hubId = destination.parent_registry_id;
    // Bounded by the destinations: a validated tree has no cycle, a corrupt one does not loop.
    for (let step = 0; hubId !== undefined && step < policy.destinations.length; step++) {
      const hub = byId.get(hubId)!;
      const hubTask = taskAt.get(`${index}:${hubId}`);
      if (hubTask?.status === 'Succeed') {
        const hubArtifact = { ...artifact, repository: hubTask.destinationRepository };
        const named = { hub: { name: hub.name, artifact: hubArtifact } };
        if (hubTask.outcome === 'would_copy') {
          const upstream = feeder(hub, index);
          if ('error' in upstream) return upstream;
          return {
            registryId: upstream.registryId,
            artifact: upstream.artifact,
            ...named,
            ...noted(hub.name),
          };
        }
        const kept =
          hubTask.outcome === 'kept'
            ? `${hub.name} holds its own ${hubTask.digest ?? 'digest'} (override off): its subtree gets that, not the source's`
            : undefined;
        return { registryId: hubId, artifact: hubArtifact, ...named, ...noted(hub.name, kept) };
      }
      const why = hubTask?.error ? `${hubTask.error.code}: ${hubTask.error.message}` : 'not copied';
      if (hub.on_hub_failure !== 'from_parent') {
        return {
          error: {
            code: 'HUB_FAILED',
            message: `${hub.name} did not get ${describeArtifact(artifact)} (${why}); its subtree fails with it`,
          },
        };
      }
      failed ??= `${hub.name} did not get it (${why})`;
      hubId = hub.parent_registry_id;
    }
    return { registryId: policy.src_registry_id, artifact, ...noted('the source') };
  };

  const links = new Map<number, TreeLink & { held: Map<number, Artifact> }>();
  const unfed: UnfedTask[] = [];
  const inLevel = new Set(level.map((destination) => destination.registry_id));
  for (const task of tasks) {
    if (!inLevel.has(task.destinationRegistryId) || task.status !== 'Pending') continue;
    const from = feeder(byId.get(task.destinationRegistryId)!, task.artifactIndex);
    if ('error' in from) {
      unfed.push({ task, error: from.error });
      continue;
    }
    let link = links.get(from.registryId);
    if (!link) {
      const held = new Map<number, Artifact>();
      link = { sourceRegistryId: from.registryId, tasks: [], held, artifactAt: (index) => held.get(index)! };
      links.set(from.registryId, link);
    }
    link.tasks.push(task);
    link.held.set(task.artifactIndex, from.artifact);
    // Tasks per link: a task copied from a hub names the hub as its source.
    if (from.hub) task.srcResource = `${from.hub.name}/${describeArtifact(from.hub.artifact)}`;
    if (from.note) task.note = from.note;
  }
  return { links: [...links.values()].map(({ held: _held, ...link }) => link), unfed };
}
