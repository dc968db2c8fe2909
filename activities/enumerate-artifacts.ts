import { heartbeat } from '@temporalio/activity';
import { matchesFilters } from '../policies/index.js';
import type { Artifact } from '../workflows/replication-model.js';
import type { RegistryClients } from './registry-clients.js';
import type { EnumerateArtifactsInput, EnumerateArtifactsResult } from './replication-activity-types.js';

const listPageSize = 1000;

/**
 * One page of the source's artifacts in scope of the policy's filters, in a stable order
 * (repository, then tag), so a cursor names where the next page starts.
 */
export async function enumerateArtifacts(
  clients: RegistryClients,
  input: EnumerateArtifactsInput,
): Promise<EnumerateArtifactsResult> {
  const source = await clients.get(input.policy.srcRegistryId);
  const filters = input.policy.filters;
  const repositories: string[] = [];
  for await (const page of source.listRepositories({ pageSize: listPageSize })) {
    for (const repository of page) {
      if (matchesFilters(filters, { repository })) repositories.push(repository);
    }
    heartbeat();
  }
  repositories.sort();

  const artifacts: Artifact[] = [];
  const cursor = input.cursor;
  for (const repository of repositories) {
    if (cursor && repository < cursor.repository) continue;
    const tags: string[] = [];
    for await (const page of source.listTags(repository, { pageSize: listPageSize })) tags.push(...page);
    tags.sort();
    heartbeat({ repository });
    for (const tag of tags) {
      if (cursor && repository === cursor.repository && tag <= cursor.tag) continue;
      if (!matchesFilters(filters, { repository, tag })) continue;
      if (artifacts.length === input.pageSize) return { artifacts, next: artifactCursor(artifacts) };
      artifacts.push({ repository, tag });
    }
  }
  return { artifacts };
}

function artifactCursor(artifacts: Artifact[]) {
  const last = artifacts[artifacts.length - 1]!;
  return { repository: last.repository, tag: last.tag ?? '' };
}
