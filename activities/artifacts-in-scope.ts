import { heartbeat } from '@temporalio/activity';
import { matchesFilters, type ReplicationFilter } from '../policies/index.js';
import type { RegistryClient } from '../registry/index.js';
import type { EnumerateCursor } from '../contract/index.js';

const listPageSize = 1000;

export interface TaggedArtifact {
  repository: string;
  tag: string;
}

/**
 * A registry's tags within a policy's filters, in a stable order (repository, then tag), from
 * just after `after` when given. A listing that fails throws: an unreadable registry is never
 * taken for an empty one.
 */
export async function* artifactsInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  after?: EnumerateCursor,
): AsyncGenerator<TaggedArtifact> {
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
    for await (const page of client.listTags(repository, { pageSize: listPageSize })) tags.push(...page);
    tags.sort();
    heartbeat({ repository });
    for (const tag of tags) {
      if (after && repository === after.repository && tag <= after.tag) continue;
      if (matchesFilters(filters, { repository, tag })) yield { repository, tag };
    }
  }
}
