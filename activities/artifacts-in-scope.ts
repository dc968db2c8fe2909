import { heartbeat as activityHeartbeat } from '@temporalio/activity';
import { matchesFilters, type ReplicationFilter } from '../policies/index.js';
import type { ListOptions, RegistryClient } from '../registry/index.js';
import type { EnumerateCursor } from '../contract/index.js';

const listPageSize = 1000;
/** Catalog names looked at between two heartbeats while none of them is in scope. */
const namesPerHeartbeat = 1000;

export interface TaggedArtifact {
  repository: string;
  tag: string;
}

export interface ScopeOptions {
  /** Start just after this artifact: where an earlier page stopped. */
  after?: EnumerateCursor | undefined;
  /** Told of progress as the listing goes; the activity's heartbeat unless given. */
  heartbeat?: (details: { repository: string }) => void;
}

/**
 * The names of a listing after `after` (all of them without), continued with the registry's own
 * `last` (OCI), so a page picked up again costs a request, not a listing from the start. A
 * registry that ignores `last` and starts over (Distribution 2.8 does for tags) sends `after`
 * back in its first page: what comes up to it is skipped.
 */
async function* namesAfter(
  list: (options: ListOptions) => AsyncIterable<string[]>,
  after: string | undefined,
): AsyncGenerator<string> {
  let first = after !== undefined;
  for await (const page of list({ pageSize: listPageSize, last: after })) {
    const at = first ? page.indexOf(after!) : -1;
    first = false;
    yield* at >= 0 ? page.slice(at + 1) : page;
  }
}

/**
 * A registry's tags within a policy's filters, in the registry's listing order (repository, then
 * tag), from just after `after` when given: the rest of that repository's tags, then the
 * repositories after it. Each page of a run reads only from where the last one stopped, so
 * enumerating a registry is linear in its size. A listing that fails throws: an unreadable
 * registry is never taken for an empty one.
 */
export async function* artifactsInScope(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  options: ScopeOptions = {},
): AsyncGenerator<TaggedArtifact> {
  const { after } = options;
  const heartbeat = options.heartbeat ?? activityHeartbeat;
  async function* tagsOf(repository: string, afterTag?: string): AsyncGenerator<TaggedArtifact> {
    for await (const tag of namesAfter((list) => client.listTags(repository, list), afterTag)) {
      if (matchesFilters(filters, { repository, tag })) yield { repository, tag };
    }
    heartbeat({ repository });
  }
  if (after && matchesFilters(filters, { repository: after.repository }))
    yield* tagsOf(after.repository, after.tag);
  let looked = 0;
  for await (const repository of namesAfter((list) => client.listRepositories(list), after?.repository)) {
    if (matchesFilters(filters, { repository })) yield* tagsOf(repository);
    else if (++looked % namesPerHeartbeat === 0) heartbeat({ repository });
  }
}
