import { matchesFilters } from './filter-matching.js';
import { ageBoundSeconds, type ReplicationFilter } from './replication-filter.js';
import { newestTags } from './version-range.js';

/** What of a policy's filters is judged on a repository's whole tag list rather than tag by tag. */
export interface TagSelection {
  newest?: number;
  maxAgeSeconds?: number;
}

export function tagSelection(filters: readonly ReplicationFilter[]): TagSelection {
  const selection: TagSelection = {};
  for (const filter of filters) {
    if (filter.type === 'newest') selection.newest = filter.value;
    if (filter.type === 'max_age') selection.maxAgeSeconds = ageBoundSeconds(filter.value);
  }
  return selection;
}

/** When each candidate image was created (its config's `created`, ISO 8601), and the time to judge at. */
export interface ImageAges {
  created: ReadonlyMap<string, string | undefined>;
  now: Date;
}

/**
 * The tags of one repository a policy selects, sorted: those every per-tag filter lets through;
 * with `max_age`, of those the images created within the bound (an image that does not say when
 * it was created is left out); with `newest`, of those the N highest versions.
 */
export function selectTags(
  filters: readonly ReplicationFilter[],
  repository: string,
  tags: readonly string[],
  ages?: ImageAges,
): string[] {
  const selection = tagSelection(filters);
  let selected = tags.filter((tag) => matchesFilters(filters, { repository, tag }));
  if (selection.maxAgeSeconds !== undefined) {
    const oldest = (ages?.now.getTime() ?? 0) - selection.maxAgeSeconds * 1000;
    selected = selected.filter((tag) => {
      const created = Date.parse(ages?.created.get(tag) ?? '');
      return Number.isFinite(created) && created >= oldest;
    });
  }
  if (selection.newest !== undefined) selected = newestTags(selected, selection.newest);
  return selected.sort();
}
