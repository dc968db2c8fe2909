import { heartbeat as activityHeartbeat } from '@temporalio/activity';
import {
  literalRepositories,
  matchesFilters,
  selectTags,
  tagSelection,
  type ImageAges,
  type ReplicationFilter,
} from '../policies/index.js';
import { forEachBounded, imageCreated, type ListOptions, type RegistryClient } from '../registry/index.js';
import type { ArtifactError, EnumerateCursor } from '../contract/index.js';
import { errorCode } from '../errors/regatta-error.js';

const listPageSize = 1000;
/**
 * Repositories whose tag listing is started ahead of the one being read: a registry answers
 * several at once, and a policy over many small repositories waits on each listing in turn
 * otherwise. A page that fills up leaves at most these listings unread.
 */
const listingsAhead = 4;
/** Image configs read at once for an age bound. */
const configsInFlight = 8;
/** Catalog names looked at between two heartbeats while none of them is in scope. */
const namesPerHeartbeat = 1000;

export interface TaggedArtifact {
  repository: string;
  tag: string;
}

/** A repository the policy names that the source cannot list: its tasks fail with `error`. */
export interface UnlistedRepository {
  repository: string;
  error: ArtifactError;
}

export type ScopeEntry = TaggedArtifact | UnlistedRepository;

export interface ScopeOptions {
  /** Start just after this artifact. */
  after?: EnumerateCursor | undefined;
  /**
   * Whether a repository the catalog lists but whose tag list answers 404 (a push that has sent
   * its blobs only) fails the listing. Copying skips it: it has no tag to copy yet. A prune
   * must not: deleting at a site what such a source "lacks" would delete what it is re-receiving.
   */
  failOnUnknownTags?: boolean;
  /** Told of progress as the listing goes; the activity's heartbeat unless given. */
  heartbeat?: (details: { repository: string }) => void;
}

/**
 * The names of a listing after `after` (all of them without), page by page in lexical order,
 * continued with the registry's own `last` (OCI), so a page picked up again costs a request, not
 * a listing from the start. A registry that ignores `last` and starts over (Distribution 2.8
 * does for tags) sends names up to `after` again: they are skipped by name, never by position,
 * so a listing in another order neither repeats nor loses a name.
 */
async function* pagesAfter(
  list: (options: ListOptions) => AsyncIterable<string[]>,
  after: string | undefined,
): AsyncGenerator<string[]> {
  for await (const page of list({ pageSize: listPageSize, last: after })) {
    const names = after === undefined ? [...page] : page.filter((name) => name > after);
    yield names.sort();
  }
}

/**
 * The repositories in scope from `after` on (the cursor's own first): those the filters name (no
 * catalog needed), else the catalog's that match, its listing continued after the cursor.
 */
async function* repositoriesInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  after: string | undefined,
  named: readonly string[] | undefined,
  heartbeat: NonNullable<ScopeOptions['heartbeat']>,
): AsyncGenerator<string> {
  if (named) {
    yield* named.filter((repository) => after === undefined || repository >= after);
    return;
  }
  if (after !== undefined && matchesFilters(filters, { repository: after })) yield after;
  let looked = 0;
  for await (const page of pagesAfter((list) => client.listRepositories(list), after)) {
    for (const repository of page) {
      if (matchesFilters(filters, { repository })) yield repository;
      else if (++looked % namesPerHeartbeat === 0) heartbeat({ repository });
    }
  }
}

/**
 * The tags of one repository the filters select. With `max_age` the images the per-tag filters
 * let through are read for their creation time (configs are read only then).
 */
export async function selectedTags(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  repository: string,
  tags: readonly string[],
  nameInFilters = repository,
): Promise<string[]> {
  let ages: ImageAges | undefined;
  if (tagSelection(filters).maxAgeSeconds !== undefined) {
    const created = new Map<string, string | undefined>();
    const candidates = tags.filter((tag) => matchesFilters(filters, { repository: nameInFilters, tag }));
    await forEachBounded(candidates, configsInFlight, async (tag) => {
      created.set(tag, await imageCreated(client, repository, tag));
    });
    ages = { created, now: new Date() };
  }
  return selectTags(filters, nameInFilters, tags, ages);
}

/** Why a repository the policy names cannot be read, or undefined when trying again may help. */
function unlisted(repository: string, error: unknown): UnlistedRepository | undefined {
  if ((error as { retryable?: unknown }).retryable !== false) return undefined;
  return {
    repository,
    error: {
      code: errorCode(error) ?? 'UNKNOWN',
      message: `${repository}: ${error instanceof Error ? error.message : String(error)}`,
    },
  };
}

/**
 * The tags of one repository the filters select, after `afterTag`, in order. Without `newest`
 * each listing page is selected as it comes, continued after `afterTag`; `newest` needs the whole
 * listing first. `inCatalog`: the catalog listed it, so a 404 is REGISTRY_LISTING_TAGS_UNKNOWN,
 * not an unknown name. Returns how many names the listing held (0: the repository lists none).
 */
async function* tagsInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  repository: string,
  afterTag: string | undefined,
  inCatalog: boolean,
): AsyncGenerator<string, number> {
  const listing = (list: ListOptions) => client.listTags(repository, { ...list, inCatalog });
  if (tagSelection(filters).newest !== undefined) {
    const tags: string[] = [];
    for await (const page of pagesAfter(listing, undefined)) tags.push(...page);
    for (const tag of await selectedTags(client, filters, repository, tags.sort()))
      if (afterTag === undefined || tag > afterTag) yield tag;
    return tags.length;
  }
  let listed = 0;
  for await (const page of pagesAfter(listing, afterTag)) {
    listed += page.length;
    yield* await selectedTags(client, filters, repository, page);
  }
  return listed;
}

/**
 * A registry's tags within a policy's filters, in listing order (repository, then tag), from just
 * after `after` when given: the rest of that repository's tags, then the repositories after it,
 * each listing continued where the last page stopped, so enumerating a registry is linear in its
 * size. A listing that fails throws: an unreadable registry is never taken for an empty one. When
 * the filters name their repositories, the catalog is not read: each one's tags are, and a named
 * repository the registry does not have (or will not list) comes as an UnlistedRepository, so
 * the others proceed. A pattern on a registry that refuses its catalog fails with
 * REGISTRY_CATALOG_REFUSED.
 */
export async function* artifactsInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  options: ScopeOptions = {},
): AsyncGenerator<ScopeEntry> {
  const { after, heartbeat = activityHeartbeat } = options;
  const named = literalRepositories(filters);
  const repositories = repositoriesInScope(client, filters, after?.repository, named, heartbeat);
  // Each listing's first answer is asked for as it joins the window; they are read in order.
  const start = (repository: string) => {
    const afterTag = after?.repository === repository && after.tag !== '' ? after.tag : undefined;
    const tags = tagsInScope(client, filters, repository, afterTag, !named);
    const first = tags.next();
    // Awaited when its turn comes; marked handled so a listing never read does not count as unhandled.
    first.catch(() => undefined);
    return { repository, tags, first };
  };
  const started: Array<ReturnType<typeof start>> = [];
  let allStarted = false;
  for (;;) {
    while (!allStarted && started.length <= listingsAhead) {
      const next = await repositories.next();
      if (next.done) allStarted = true;
      else started.push(start(next.value));
    }
    const listing = started.shift();
    if (!listing) return;
    const { repository, tags } = listing;
    const resumed = after?.repository === repository;
    let yielded = false;
    let listed: number;
    try {
      for (let next = await listing.first; ; next = await tags.next()) {
        if (next.done) {
          listed = next.value;
          break;
        }
        yielded = true;
        yield { repository, tag: next.value };
      }
    } catch (error) {
      // Only a listing's first answer says the repository cannot be listed; later, it is a fault.
      if (yielded) throw error;
      const notYet = !named && errorCode(error) === 'REGISTRY_LISTING_TAGS_UNKNOWN';
      if (notYet && !options.failOnUnknownTags) continue;
      const entry = named ? unlisted(repository, error) : undefined;
      if (!entry) throw error;
      // An unlisted repository is the last of its page: the cursor names it with no tag.
      if (!resumed) yield entry;
      continue;
    }
    if (named && !resumed && listed === 0 && !(await client.hasRepository(repository))) {
      yield {
        repository,
        error: {
          code: 'REGISTRY_NAME_UNKNOWN',
          message: `${repository}: ${client.registry} has no such repository`,
        },
      };
      continue;
    }
    heartbeat({ repository });
  }
}

/** Only the tags: for readers that compare listings (a prune, an audit) rather than report each repository. */
export function isTagged(entry: ScopeEntry): entry is TaggedArtifact {
  return !('error' in entry);
}
