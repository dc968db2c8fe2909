import { Minimatch } from 'minimatch';
import type { ReplicationFilter } from './replication-filter.js';

// Configured as doublestar: `*` stays in one component, `**` crosses `/`, `{a,b}` and classes
// work; minimatch's negation, comments and extglobs are not part of Harbor's syntax.
const globOptions = { dot: true, nonegate: true, nocomment: true, noext: true, optimizationLevel: 1 };

const compiled = new Map<string, Minimatch>();
const maxCompiled = 1000;

function matcher(pattern: string): Minimatch {
  let found = compiled.get(pattern);
  if (!found) {
    if (compiled.size >= maxCompiled) compiled.clear();
    found = new Minimatch(pattern, globOptions);
    compiled.set(pattern, found);
  }
  return found;
}

/** Whether a repository path or tag matches a Harbor glob; an empty pattern matches everything. */
export function matchesNameFilter(pattern: string, name: string): boolean {
  return pattern === '' || matcher(pattern).match(name);
}

/** What a filter is judged on. An attribute left out is not judged, so a repository can be checked before its tags are known. */
export interface FilterSubject {
  repository: string;
  tag?: string | undefined;
  labels?: readonly string[] | undefined;
  kind?: 'image' | 'artifact' | undefined;
}

function matchesOne(filter: ReplicationFilter, subject: FilterSubject): boolean {
  switch (filter.type) {
    case 'name':
      return matchesNameFilter(filter.value, subject.repository) !== (filter.decoration === 'excludes');
    case 'tag':
      if (subject.tag === undefined) return true;
      return matchesNameFilter(filter.value, subject.tag) !== (filter.decoration === 'excludes');
    case 'label': {
      const labels = subject.labels;
      if (labels === undefined) return true;
      return filter.decoration === 'excludes'
        ? filter.value.every((label) => !labels.includes(label))
        : filter.value.every((label) => labels.includes(label));
    }
    case 'resource':
      return subject.kind === undefined || filter.value === 'artifact' || subject.kind === filter.value;
  }
}

/** Whether every filter of a policy lets the subject through. */
export function matchesFilters(filters: readonly ReplicationFilter[], subject: FilterSubject): boolean {
  return filters.every((filter) => matchesOne(filter, subject));
}
