import { InvalidInputError } from '../errors/regatta-error.js';
import { matchesFilters, type ReplicationFilter } from '../policies/index.js';
import { createRegistryClient, endpointOf, forEachBounded } from '../registry/index.js';
import { NotFoundError, type Store } from '../store/index.js';
import { registryVerdict } from './registry-ping.js';

export interface FilterPreviewInput {
  srcRegistryId: number;
  filters: readonly ReplicationFilter[];
}

/** What a policy's filters select at its source now. */
export interface FilterPreview {
  /** Repositories with at least one tag in scope. */
  repositories: number;
  tags: number;
  /** False when a bound stopped the count: then both figures are lower bounds. */
  complete: boolean;
  /** The first repositories in scope, for a glance. */
  sample: string[];
  /** Filters a listing cannot judge (labels, artifact kind): a run judges them on each manifest. */
  judgedAtRunTime: Array<ReplicationFilter['type']>;
}

/** Bounds of one preview: it answers within `timeMs`, counting tags in at most `maxRepositories`. */
export const previewBounds = { timeMs: 5_000, maxRepositories: 200, listingLanes: 4, sampleSize: 5 };

/**
 * Counts the repositories and tags a policy's filters select at the source now, as a run's
 * enumeration would list them, within `previewBounds`. A source that refuses the listing is a
 * 400 naming the setting to look at; running out of time is not an error, only an incomplete count.
 */
export async function previewFilters(store: Store, input: FilterPreviewInput): Promise<FilterPreview> {
  const source = await store.registries.getWithSecrets(input.srcRegistryId).catch((error: unknown) => {
    if (error instanceof NotFoundError)
      throw new InvalidInputError(`src_registry: registry ${input.srcRegistryId} not found`, 'src_registry');
    throw error;
  });
  const signal = AbortSignal.timeout(previewBounds.timeMs);
  const client = createRegistryClient({ ...(await endpointOf(source)), timeoutMs: previewBounds.timeMs });
  const repositories: string[] = [];
  /** Repositories with a tag in scope: those a run copies from. */
  const selected: string[] = [];
  let tags = 0;
  let complete = true;
  try {
    catalog: for await (const page of client.listRepositories({ pageSize: 1000, signal })) {
      for (const repository of page) {
        if (!matchesFilters(input.filters, { repository })) continue;
        if (repositories.length === previewBounds.maxRepositories) {
          complete = false;
          break catalog;
        }
        repositories.push(repository);
      }
    }
    await forEachBounded(repositories, previewBounds.listingLanes, async (repository) => {
      let inScope = 0;
      for await (const page of client.listTags(repository, { pageSize: 1000, signal }))
        inScope += page.filter((tag) => matchesFilters(input.filters, { repository, tag })).length;
      tags += inScope;
      if (inScope > 0) selected.push(repository);
    });
  } catch (error) {
    if (!signal.aborted) throw registryVerdict(error, 'the registry did not list its repositories');
    complete = false;
  } finally {
    await client.close();
  }
  return {
    repositories: selected.length,
    tags,
    complete,
    sample: selected.sort().slice(0, previewBounds.sampleSize),
    judgedAtRunTime: input.filters
      .map((filter) => filter.type)
      .filter((type) => type === 'label' || type === 'resource'),
  };
}
