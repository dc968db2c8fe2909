import { heartbeat } from '@temporalio/activity';
import { errorCode } from '../errors/regatta-error.js';
import { matchesFilters, type ReplicationFilter } from '../policies/index.js';
import type { RegistryClient } from '../registry/index.js';
import type { EnumerateCursor } from '../contract/index.js';

const listPageSize = 1000;

export interface TaggedArtifact {
  repository: string;
  tag: string;
}

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

/**
 * A registry's tags within a policy's filters, in a stable order (repository, then tag). A
 * listing that fails throws: an unreadable registry is never taken for an empty one.
 */
export async function* artifactsInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  options: ScopeOptions = {},
): AsyncGenerator<TaggedArtifact> {
  const { after } = options;
  const repositories: string[] = [];
  for await (const page of client.listRepositories({ pageSize: listPageSize })) {
    for (const repository of page) {
      if (matchesFilters(filters, { repository })) repositories.push(repository);
    }
    heartbeat();
  }
  repositories.sort();
  for (const repository of repositories) {
    if (after && repository < after.repository) continue;
    const tags: string[] = [];
    try {
      for await (const page of client.listTags(repository, { pageSize: listPageSize, inCatalog: true }))
        tags.push(...page);
    } catch (error) {
      if (options.failOnUnknownTags || errorCode(error) !== 'REGISTRY_LISTING_TAGS_UNKNOWN') throw error;
    }
    tags.sort();
    heartbeat({ repository });
    for (const tag of tags) {
      if (after && repository === after.repository && tag <= after.tag) continue;
      if (matchesFilters(filters, { repository, tag })) yield { repository, tag };
    }
  }
}
