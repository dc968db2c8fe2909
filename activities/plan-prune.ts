import { heartbeat } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import type {
  Artifact,
  PlanPruneInput,
  PlanPrunePagesInput,
  PrunePage,
  PrunePlan,
  PrunePlanPages,
  ReadPrunePageInput,
} from '../contract/index.js';
import { defaultMaxDeleteRatio, PolicySnapshot } from '../policies/index.js';
import { forEachBounded, type RegistryClient } from '../registry/index.js';
import type { PrunePlanStore } from '../store/index.js';
import { artifactsInScope, isTagged, type TaggedArtifact } from './artifacts-in-scope.js';
import { prunable, pruneCandidates } from './prune-rules.js';
import type { RegistryClients } from './registry-clients.js';

/** Destination HEADs of the kept-digest check in flight at once. */
export const digestLookupsInFlight = 8;
/** A HEAD not answered by then fails the plan (to be tried again): an unknown kept digest is never guessed. */
const headDeadlineMs = 30_000;
/** Digests resolved between two heartbeats. */
export const digestsPerHeartbeat = 100;

/**
 * The destination's digest of each tag, `digestLookupsInFlight` at a time, telling `progress` how
 * many are resolved every `digestsPerHeartbeat`. A tag gone since the listing has none; any other
 * failure fails the plan: a kept tag whose digest is unknown could not protect an extra tag
 * sharing it.
 */
export async function destinationDigests(
  destination: Pick<RegistryClient, 'headManifest'>,
  artifacts: readonly TaggedArtifact[],
  progress: (resolved: number) => void,
): Promise<Map<TaggedArtifact, string | undefined>> {
  const digests = new Map<TaggedArtifact, string | undefined>();
  await forEachBounded(artifacts, digestLookupsInFlight, async (artifact) => {
    const head = await destination.headManifest(artifact.repository, artifact.tag, {
      timeoutMs: headDeadlineMs,
    });
    digests.set(artifact, head?.digest);
    if (digests.size % digestsPerHeartbeat === 0) progress(digests.size);
  });
  return digests;
}

/**
 * What a mirror run deletes at one destination (see prune-rules.ts): both listings read to their
 * end, then the destination's digests of the tags that decide, read only when the guardrails let
 * the prune go ahead. Runs started before plans were kept in pages get it whole in the result.
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
    maxDeleteRatioPerRepository: mirror.max_delete_ratio_per_repository,
  });
  if (candidates.refusal) return { artifacts: [], inScope: candidates.inScope, refusal: candidates.refusal };
  const needed = candidates.digestsNeeded;
  const digests = await destinationDigests(destination, needed, (resolved) =>
    heartbeat({ resolved, of: needed.length }),
  );
  return {
    artifacts: prunable(candidates, (artifact) => digests.get(artifact)),
    inScope: candidates.inScope,
  };
}

/**
 * The plan kept in the store in pages of `pageSize`, under an id of this very attempt: an attempt
 * the run gave up on (a lost heartbeat) that writes late cannot change the pages the run reads.
 * The run's result drops its plans (recordRunResult).
 */
export async function planPrunePages(
  clients: RegistryClients,
  plans: PrunePlanStore,
  input: PlanPrunePagesInput,
): Promise<PrunePlanPages> {
  const planId = `${input.runWorkflowId}/${randomUUID()}`;
  const plan = await planPrune(clients, input);
  const pages: Artifact[][] = [];
  for (let from = 0; from < plan.artifacts.length; from += input.pageSize)
    pages.push(plan.artifacts.slice(from, from + input.pageSize));
  if (pages.length > 0) await plans.save(planId, input.runWorkflowId, pages);
  return {
    planId,
    pages: pages.length,
    deletions: plan.artifacts.length,
    inScope: plan.inScope,
    ...(plan.refusal ? { refusal: plan.refusal } : {}),
  };
}

export async function readPrunePage(plans: PrunePlanStore, input: ReadPrunePageInput): Promise<PrunePage> {
  return { artifacts: await plans.page(input.planId, input.page) };
}
