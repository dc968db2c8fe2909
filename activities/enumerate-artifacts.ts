import type {
  Artifact,
  EnumerateArtifactsInput,
  EnumerateArtifactsResult,
  FindUpToDateInput,
  InPlaceResult,
  UpToDateCheck,
} from '../contract/index.js';
import { destinationRepository, PolicySnapshot } from '../policies/index.js';
import { artifactsInScope, type ScopeOptions } from './artifacts-in-scope.js';
import type { RegistryClients } from './registry-clients.js';

/** What the listing activity works with besides its registries. */
export interface ListingContext {
  /** How the run's only page is checked in place when asked: `checkInPlace` as the worker runs it. */
  check?: (input: FindUpToDateInput) => Promise<InPlaceResult>;
  /** The activity's stop: a check it cut ends the activity, rather than being left to the run. */
  signal?: AbortSignal;
  /** Told of progress as the listing goes; the activity's heartbeat unless given. */
  heartbeat?: ScopeOptions['heartbeat'];
}

/**
 * One page of the source's artifacts in scope; the cursor names where the next page starts. A
 * repository the policy names that the source cannot list is an artifact with `error` (and no
 * tag): its tasks fail with that error, the other artifacts are copied. The run's only page is
 * checked in place here when asked (`checkIfLast`); a check that cannot be made is left out, and
 * the run checks as it would have.
 */
export async function enumerateArtifacts(
  clients: RegistryClients,
  input: EnumerateArtifactsInput,
  context: ListingContext = {},
): Promise<EnumerateArtifactsResult> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const source = await clients.get(policy.src_registry_id);
  const artifacts: Artifact[] = [];
  for await (const entry of artifactsInScope(source, policy.filters, {
    after: input.cursor,
    ...(context.heartbeat ? { heartbeat: context.heartbeat } : {}),
  })) {
    if (artifacts.length === input.pageSize) {
      const last = artifacts[artifacts.length - 1]!;
      return { artifacts, next: { repository: last.repository, tag: last.tag ?? '' } };
    }
    artifacts.push(entry);
  }
  if (!input.checkIfLast || !context.check || artifacts.length === 0) return { artifacts };
  const check: FindUpToDateInput = {
    sourceRegistryId: policy.src_registry_id,
    checks: artifacts.map((artifact, index) => ({
      artifact,
      targets: targetsOf(policy, artifact, index),
    })),
    override: policy.override,
    ...(input.checkIfLast.dryRun ? { dryRun: true } : {}),
  };
  try {
    return { artifacts, inPlace: await context.check(check) };
  } catch (error) {
    // A stop ends the activity; any other failure leaves the check to the run.
    if (context.signal?.aborted) throw error;
    return { artifacts };
  }
}

/** An artifact's targets, each named by its task's place in the page; none when its name cannot be mapped. */
function targetsOf(policy: PolicySnapshot, artifact: Artifact, index: number): UpToDateCheck['targets'] {
  let repository: string;
  try {
    repository = destinationRepository(artifact.repository, policy);
  } catch {
    // Its tasks fail when planned, saying why.
    return [];
  }
  return policy.destinations.map((destination, at) => ({
    taskId: index * policy.destinations.length + at,
    registryId: destination.registry_id,
    repository,
  }));
}
