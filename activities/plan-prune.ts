import { heartbeat } from '@temporalio/activity';
import type { Artifact, PlanPruneInput, PrunePlan } from '../contract/index.js';
import { defaultMaxDeleteRatio, matchesNameFilter, PolicySnapshot } from '../policies/index.js';
import { artifactsInScope, isTagged, type TaggedArtifact } from './artifacts-in-scope.js';
import type { RegistryClients } from './registry-clients.js';

const key = (artifact: TaggedArtifact) => `${artifact.repository}:${artifact.tag}`;

function isProtected(artifact: TaggedArtifact, protect: readonly string[]): boolean {
  return protect.some(
    (pattern) => matchesNameFilter(pattern, artifact.tag) || matchesNameFilter(pattern, key(artifact)),
  );
}

/**
 * What a mirror run would delete at one destination: the tags in scope that the source no longer
 * has, minus protected ones, and minus any whose digest another kept tag still points to
 * (Distribution deletes a manifest with all its tags). Refused, deleting nothing, when the source
 * lists nothing in scope or the share of deletions passes `maxDeleteRatio`.
 */
export async function planPrune(clients: RegistryClients, input: PlanPruneInput): Promise<PrunePlan> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const mirror = policy.mirror;
  if (!mirror?.prune) return { artifacts: [], inScope: 0 };
  const protect = mirror.protect ?? [];
  const maxDeleteRatio = mirror.max_delete_ratio ?? defaultMaxDeleteRatio;
  const source = await clients.get(policy.src_registry_id);
  const destination = await clients.get(input.destinationRegistryId);

  const atSource = new Set<string>();
  // A repository the policy names that the source cannot list is left alone at the destination:
  // an unreadable name is not a deleted one.
  const unlisted = new Set<string>();
  for await (const entry of artifactsInScope(source, policy.filters)) {
    if (isTagged(entry)) atSource.add(key(entry));
    else unlisted.add(entry.repository);
  }
  const atDestination: TaggedArtifact[] = [];
  for await (const entry of artifactsInScope(destination, policy.filters))
    if (isTagged(entry) && !unlisted.has(entry.repository)) atDestination.push(entry);

  const extra = atDestination.filter(
    (artifact) => !atSource.has(key(artifact)) && !isProtected(artifact, protect),
  );
  const inScope = atDestination.length;
  if (extra.length === 0) return { artifacts: [], inScope };
  if (atSource.size === 0) {
    return {
      artifacts: [],
      inScope,
      refusal: `the source lists no tag in scope; refusing to delete ${extra.length} of ${inScope} at the destination`,
    };
  }
  if (extra.length / inScope > maxDeleteRatio) {
    return {
      artifacts: [],
      inScope,
      refusal: `would delete ${extra.length} of ${inScope} tags in scope (${((100 * extra.length) / inScope).toFixed(0)}%), more than max_delete_ratio ${maxDeleteRatio}`,
    };
  }

  const digestOf = async (artifact: TaggedArtifact) =>
    (await destination.headManifest(artifact.repository, artifact.tag))?.digest;
  const extraKeys = new Set(extra.map(key));
  const repositories = new Set(extra.map((artifact) => artifact.repository));
  const keptDigests = new Set<string>();
  for (const artifact of atDestination) {
    if (extraKeys.has(key(artifact)) || !repositories.has(artifact.repository)) continue;
    const digest = await digestOf(artifact);
    if (digest) keptDigests.add(`${artifact.repository}@${digest}`);
  }
  const artifacts: Artifact[] = [];
  for (const artifact of extra) {
    const digest = await digestOf(artifact);
    heartbeat({ planned: artifacts.length });
    if (digest && !keptDigests.has(`${artifact.repository}@${digest}`))
      artifacts.push({ ...artifact, digest });
  }
  return { artifacts, inScope };
}
