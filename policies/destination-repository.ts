import { InvalidInputError } from '../errors/regatta-error.js';

export interface DestinationNaming {
  dest_namespace?: string | undefined;
  /** -1 (or omitted): keep only the last component; 0: keep all; n: drop the first n. */
  dest_namespace_replace_count?: number | undefined;
}

/**
 * The repository an artifact gets at a destination, with Harbor's rules: without a namespace the
 * name is kept; with one, `a/b/c` becomes `ns/c` (-1), `ns/a/b/c` (0), `ns/b/c` (1), `ns` (3).
 */
export function destinationRepository(repository: string, naming: DestinationNaming): string {
  const namespace = naming.dest_namespace ?? '';
  if (namespace === '') return repository;
  const count = naming.dest_namespace_replace_count ?? -1;
  const components = repository.split('/');
  if (count < 0) return `${namespace}/${components[components.length - 1]}`;
  if (count > components.length) {
    throw new InvalidInputError(
      `repository "${repository}" has ${components.length} path components, fewer than dest_namespace_replace_count ${count}`,
      'dest_namespace_replace_count',
    );
  }
  const kept = components.slice(count);
  return kept.length === 0 ? namespace : `${namespace}/${kept.join('/')}`;
}
