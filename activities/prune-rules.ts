import type { Artifact } from '../contract/index.js';
import { matchesNameFilter } from '../policies/index.js';
import type { TaggedArtifact } from './artifacts-in-scope.js';

// The decisions of a mirror's prune, apart from the listings and HEADs that feed them.

export interface PruneListing {
  /** The source's tags in scope. */
  source: Iterable<TaggedArtifact>;
  /** The destination's tags in scope. */
  destination: readonly TaggedArtifact[];
  /** `tag` or `repository:tag` globs never deleted. */
  protect: readonly string[];
  maxDeleteRatio: number;
  /** The same bound for each repository on its own; none when unset. */
  maxDeleteRatioPerRepository?: number | undefined;
}

export interface PruneCandidates {
  /** Tags at the destination the source no longer has, not protected: deleted unless a kept tag shares their digest. */
  extra: TaggedArtifact[];
  /** Tags in scope at the destination. */
  inScope: number;
  /** Set when the guardrails refuse the prune: nothing is deleted. */
  refusal?: string;
  /** The tags whose digests at the destination decide the rest: the kept ones sharing a repository with an extra one, then the extra ones. */
  digestsNeeded: TaggedArtifact[];
}

const key = (artifact: TaggedArtifact) => `${artifact.repository}:${artifact.tag}`;

function isProtected(artifact: TaggedArtifact, protect: readonly string[]): boolean {
  return protect.some(
    (pattern) => matchesNameFilter(pattern, artifact.tag) || matchesNameFilter(pattern, key(artifact)),
  );
}

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;

/** Repositories shown by name in a refusal; the rest are counted. */
const repositoriesNamed = 3;

/**
 * Why the deletions pass the per-repository bound (the repositories over it, the largest share
 * first), or undefined when none does.
 */
function overRepositoryRatio(
  extra: readonly TaggedArtifact[],
  destination: readonly TaggedArtifact[],
  ratio: number,
): string | undefined {
  const count = (artifacts: readonly TaggedArtifact[]) => {
    const counts = new Map<string, number>();
    for (const { repository } of artifacts) counts.set(repository, (counts.get(repository) ?? 0) + 1);
    return counts;
  };
  const inScope = count(destination);
  const over = [...count(extra)]
    .map(([repository, deleted]) => ({ repository, deleted, of: inScope.get(repository)! }))
    .filter(({ deleted, of }) => deleted / of > ratio)
    .sort((a, b) => b.deleted / b.of - a.deleted / a.of || a.repository.localeCompare(b.repository));
  if (over.length === 0) return undefined;
  const named = over
    .slice(0, repositoriesNamed)
    .map(
      ({ repository, deleted, of }) => `${deleted} of ${of} tags of ${repository} (${percent(deleted, of)})`,
    );
  const unnamed = over.length - repositoriesNamed;
  const more = unnamed > 0 ? ` and ${unnamed} more ${unnamed === 1 ? 'repository' : 'repositories'}` : '';
  return `would delete ${named.join(', ')}${more}, more than max_delete_ratio_per_repository ${ratio}`;
}

/**
 * What a mirror may delete at one destination before any digest is read: the tags in scope that
 * the source no longer has, minus protected ones; refused, deleting nothing, when the source lists
 * nothing in scope or the share of deletions passes `maxDeleteRatio`, in all or (when set,
 * `maxDeleteRatioPerRepository`) in any one repository.
 */
export function pruneCandidates(listing: PruneListing): PruneCandidates {
  const atSource = new Set<string>();
  for (const artifact of listing.source) atSource.add(key(artifact));
  const extra = listing.destination.filter(
    (artifact) => !atSource.has(key(artifact)) && !isProtected(artifact, listing.protect),
  );
  const inScope = listing.destination.length;
  const refused = (refusal: string): PruneCandidates => ({ extra: [], inScope, refusal, digestsNeeded: [] });
  if (extra.length === 0) return { extra, inScope, digestsNeeded: [] };
  if (atSource.size === 0) {
    return refused(
      `the source lists no tag in scope; refusing to delete ${extra.length} of ${inScope} at the destination`,
    );
  }
  if (extra.length / inScope > listing.maxDeleteRatio) {
    return refused(
      `would delete ${extra.length} of ${inScope} tags in scope (${percent(extra.length, inScope)}), more than max_delete_ratio ${listing.maxDeleteRatio}`,
    );
  }
  if (listing.maxDeleteRatioPerRepository !== undefined) {
    const refusal = overRepositoryRatio(extra, listing.destination, listing.maxDeleteRatioPerRepository);
    if (refusal) return refused(refusal);
  }
  const extraKeys = new Set(extra.map(key));
  const repositories = new Set(extra.map((artifact) => artifact.repository));
  const kept = listing.destination.filter(
    (artifact) => !extraKeys.has(key(artifact)) && repositories.has(artifact.repository),
  );
  return { extra, inScope, digestsNeeded: [...kept, ...extra] };
}

/**
 * The extra tags that may go, each with its digest: Distribution deletes a manifest with every
 * tag pointing to it, so a tag whose digest a kept tag of its repository shares stays, and a tag
 * whose digest is unknown (gone since the listing) needs no delete.
 */
export function prunable(
  candidates: PruneCandidates,
  digestOf: (artifact: TaggedArtifact) => string | undefined,
): Artifact[] {
  const extraKeys = new Set(candidates.extra.map(key));
  const keptDigests = new Set<string>();
  for (const artifact of candidates.digestsNeeded) {
    const digest = digestOf(artifact);
    if (digest && !extraKeys.has(key(artifact))) keptDigests.add(`${artifact.repository}@${digest}`);
  }
  const artifacts: Artifact[] = [];
  for (const artifact of candidates.extra) {
    const digest = digestOf(artifact);
    if (digest && !keptDigests.has(`${artifact.repository}@${digest}`))
      artifacts.push({ ...artifact, digest });
  }
  return artifacts;
}
