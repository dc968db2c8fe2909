import { heartbeat } from '@temporalio/activity';
import {
  literalRepositories,
  matchesFilters,
  selectTags,
  tagSelection,
  type ImageAges,
  type ReplicationFilter,
} from '../policies/index.js';
import { forEachBounded, imageCreated, type RegistryClient } from '../registry/index.js';
import type { ArtifactError, EnumerateCursor } from '../contract/index.js';
import { errorCode } from '../errors/regatta-error.js';

const listPageSize = 1000;
/** Image configs read at once for an age bound. */
const configsInFlight = 8;

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
}

/** The repositories in scope: those the filters name (no catalog needed), else the catalog's that match. */
async function repositoriesInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
): Promise<{ repositories: string[]; named: boolean }> {
  const named = literalRepositories(filters);
  if (named) return { repositories: named, named: true };
  const repositories: string[] = [];
  for await (const page of client.listRepositories({ pageSize: listPageSize })) {
    for (const repository of page) {
      if (matchesFilters(filters, { repository })) repositories.push(repository);
    }
    heartbeat();
  }
  return { repositories: repositories.sort(), named: false };
}

/** `inCatalog`: the catalog listed it, so a 404 is REGISTRY_LISTING_TAGS_UNKNOWN, not an unknown name. */
async function allTags(client: RegistryClient, repository: string, inCatalog: boolean): Promise<string[]> {
  const tags: string[] = [];
  for await (const page of client.listTags(repository, { pageSize: listPageSize, inCatalog }))
    tags.push(...page);
  return tags.sort();
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
 * A registry's tags within a policy's filters, in a stable order (repository, then tag). A
 * listing that fails throws: an unreadable registry is never taken for an empty one. When the
 * filters name their repositories, the catalog is not read: each one's tags are, and a named
 * repository the registry does not have (or will not list) comes as an UnlistedRepository, so
 * the others proceed. A pattern on a registry that refuses its catalog fails with
 * REGISTRY_CATALOG_REFUSED.
 */
export async function* artifactsInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  options: ScopeOptions = {},
): AsyncGenerator<ScopeEntry> {
  const { after } = options;
  const { repositories, named } = await repositoriesInScope(client, filters);
  for (const repository of repositories) {
    if (after && repository < after.repository) continue;
    // An unlisted repository is the last of its page: the cursor names it with no tag.
    const firstTime = after?.repository !== repository;
    let tags: string[];
    try {
      tags = await allTags(client, repository, !named);
    } catch (error) {
      const notYet = !named && errorCode(error) === 'REGISTRY_LISTING_TAGS_UNKNOWN';
      if (notYet && !options.failOnUnknownTags) continue;
      const entry = named ? unlisted(repository, error) : undefined;
      if (!entry) throw error;
      if (firstTime) yield entry;
      continue;
    }
    if (named && tags.length === 0 && !(await client.hasRepository(repository))) {
      const error = {
        code: 'REGISTRY_NAME_UNKNOWN',
        message: `${repository}: ${client.registry} has no such repository`,
      };
      if (firstTime) yield { repository, error };
      continue;
    }
    heartbeat({ repository });
    for (const tag of await selectedTags(client, filters, repository, tags)) {
      if (after && repository === after.repository && tag <= after.tag) continue;
      yield { repository, tag };
    }
  }
}

/** Only the tags: for readers that compare listings (a prune, an audit) rather than report each repository. */
export function isTagged(entry: ScopeEntry): entry is TaggedArtifact {
  return !('error' in entry);
}
