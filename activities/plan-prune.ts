import { heartbeat } from '@temporalio/activity';
import type { PlanPruneInput, PrunePlan } from '../contract/index.js';
import { defaultMaxDeleteRatio, PolicySnapshot } from '../policies/index.js';
import { artifactsInScope, isTagged, type TaggedArtifact } from './artifacts-in-scope.js';
import { prunable, pruneCandidates } from './prune-rules.js';
import type { RegistryClients } from './registry-clients.js';

/**
 * What a mirror run would delete at one destination (see prune-rules.ts): both listings read to
 * their end, then the destination's digests of the tags that decide, read only when the
 * guardrails let the prune go ahead.
 */
export async function planPrune(clients: RegistryClients, input: PlanPruneInput): Promise<PrunePlan> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const mirror = policy.mirror;
  if (!mirror?.prune) return { artifacts: [], inScope: 0 };
  const source = await clients.get(policy.src_registry_id);
  const destination = await clients.get(input.destinationRegistryId);

  const atSource: TaggedArtifact[] = [];
  // A repository the policy names that the source cannot list is left alone at the destination:
  // an unreadable name is not a deleted one.
  const unlisted = new Set<string>();
  for await (const entry of artifactsInScope(source, policy.filters, { failOnUnknownTags: true })) {
    if (isTagged(entry)) atSource.push(entry);
    else unlisted.add(entry.repository);
  }
  const atDestination: TaggedArtifact[] = [];
  for await (const entry of artifactsInScope(destination, policy.filters))
    if (isTagged(entry) && !unlisted.has(entry.repository)) atDestination.push(entry);

  const candidates = pruneCandidates({
    source: atSource,
    destination: atDestination,
    protect: mirror.protect ?? [],
    maxDeleteRatio: mirror.max_delete_ratio ?? defaultMaxDeleteRatio,
  });
  if (candidates.refusal) return { artifacts: [], inScope: candidates.inScope, refusal: candidates.refusal };

  const digests = new Map<TaggedArtifact, string | undefined>();
  for (const artifact of candidates.digestsNeeded) {
    digests.set(artifact, (await destination.headManifest(artifact.repository, artifact.tag))?.digest);
    heartbeat({ resolved: digests.size });
  }
  return {
    artifacts: prunable(candidates, (artifact) => digests.get(artifact)),
    inScope: candidates.inScope,
  };
}
