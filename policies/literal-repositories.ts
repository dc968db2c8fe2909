import { braceExpand } from 'minimatch';
import { isRepositoryName } from '../oci/index.js';
import { matchesFilters } from './filter-matching.js';
import type { ReplicationFilter } from './replication-filter.js';

/** Repositories a policy may name in its filters; beyond this a listing needs the catalog. */
export const maxLiteralRepositories = 1000;

/** The repositories a glob names, when it names them literally (`a/b`, `{a/b,c/d}`, `a/{b,c}`). */
function literalNames(pattern: string): string[] | undefined {
  const names = braceExpand(pattern, { braceExpandMax: maxLiteralRepositories + 1 });
  if (names.length > maxLiteralRepositories || !names.every(isRepositoryName)) return undefined;
  return names;
}

/**
 * The repositories a policy's name filters name literally, sorted, so their tags can be read
 * without the catalog (which Docker Hub, GHCR and most public registries refuse); undefined when
 * only the catalog can say which repositories are in scope. A name filter that matches by a
 * literal name or a brace list of them decides; since every filter must match, several such
 * filters name what they have in common, and the other filters (patterns, excludes) still apply
 * to each name.
 */
export function literalRepositories(filters: readonly ReplicationFilter[]): string[] | undefined {
  let named: Set<string> | undefined;
  for (const filter of filters) {
    if (filter.type !== 'name' || filter.decoration === 'excludes' || (filter.syntax ?? 'glob') !== 'glob')
      continue;
    const names = literalNames(filter.value);
    if (!names) continue;
    named = new Set(named ? names.filter((name) => named!.has(name)) : names);
  }
  if (!named) return undefined;
  return [...named].filter((repository) => matchesFilters(filters, { repository })).sort();
}
