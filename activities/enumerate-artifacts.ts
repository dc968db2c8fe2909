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
import type { ListedCheck } from './find-up-to-date.js';
import type { RegistryClients } from './registry-clients.js';

/** What the listing activity works with besides its registries. */
export interface ListingContext {
  /** Starts the check of a page as it is listed (`checkAsListed` as the worker runs it, metered). */
  checkAsListed?: (input: Omit<FindUpToDateInput, 'checks'>) => ListedCheck;
  /** The activity's stop: a check it cut ends the activity, rather than being left to the run. */
  signal?: AbortSignal;
  /** Told of progress as the listing goes; the activity's heartbeat unless given. */
  heartbeat?: ScopeOptions['heartbeat'];
}

/**
 * One page of the source's artifacts in scope; the cursor names where the next page starts. A
 * repository the policy names that the source cannot list is an artifact with `error` (and no
 * tag): its tasks fail with that error, the other artifacts are copied. Asked (`checkIfLast`),
 * the page is checked in place as it is listed, its HEADs overlapping the listing; the check is
 * answered when the listing ends on this page, the run's only one. A check that cannot be made is
 * left out, and the run checks as it would have.
 */
export async function enumerateArtifacts(
  clients: RegistryClients,
  input: EnumerateArtifactsInput,
  context: ListingContext = {},
): Promise<EnumerateArtifactsResult> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const source = await clients.get(policy.src_registry_id);
  const check =
    input.checkIfLast && context.checkAsListed
      ? context.checkAsListed({
          sourceRegistryId: policy.src_registry_id,
          override: policy.override,
          ...(input.checkIfLast.dryRun ? { dryRun: true } : {}),
        })
      : undefined;
  const artifacts: Artifact[] = [];
  try {
    for await (const entry of artifactsInScope(source, policy.filters, {
      after: input.cursor,
      ...(context.heartbeat ? { heartbeat: context.heartbeat } : {}),
    })) {
      if (artifacts.length === input.pageSize) {
        check?.abandon();
        const last = artifacts[artifacts.length - 1]!;
        return { artifacts, next: { repository: last.repository, tag: last.tag ?? '' } };
      }
      check?.add({ artifact: entry, targets: targetsOf(policy, entry, artifacts.length) });
      artifacts.push(entry);
    }
  } catch (error) {
    check?.abandon();
    throw error;
  }
  if (!check || artifacts.length === 0) {
    check?.abandon();
    return { artifacts };
  }
  const inPlace = await listedCheckResult(check, context.signal);
  return inPlace ? { artifacts, inPlace } : { artifacts };
}

/** The check's result; undefined when it could not be made (the run checks then), unless the activity was stopped. */
async function listedCheckResult(
  check: ListedCheck,
  signal: AbortSignal | undefined,
): Promise<InPlaceResult | undefined> {
  try {
    return await check.result();
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
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
