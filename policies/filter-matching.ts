import { Minimatch } from 'minimatch';
import { compileRegex, type LinearRegex } from './linear-regex.js';
import type { FilterSyntax, ReplicationFilter } from './replication-filter.js';
import { tagSatisfies } from './version-range.js';

// Configured as doublestar: `*` stays in one component, `**` crosses `/`, `{a,b}` and classes
// work; minimatch's negation, comments and extglobs are not part of Harbor's syntax.
const globOptions = { dot: true, nonegate: true, nocomment: true, noext: true, optimizationLevel: 1 };

const maxCompiled = 1000;

/** Compiled patterns, kept while a worker judges thousands of tags against one policy. */
function cache<T>(compile: (pattern: string) => T): (pattern: string) => T {
  const compiled = new Map<string, T>();
  return (pattern) => {
    let found = compiled.get(pattern);
    if (!found) {
      if (compiled.size >= maxCompiled) compiled.clear();
      found = compile(pattern);
      compiled.set(pattern, found);
    }
    return found;
  };
}

const glob = cache((pattern) => new Minimatch(pattern, globOptions));
const regex = cache<LinearRegex>(compileRegex);

/** Whether a repository path or tag matches a Harbor glob; an empty pattern matches everything. */
export function matchesNameFilter(pattern: string, name: string): boolean {
  return pattern === '' || glob(pattern).match(name);
}

/** Whether a name or tag matches a filter's value read in its syntax. */
function matchesValue(value: string, syntax: FilterSyntax | undefined, text: string): boolean {
  if (syntax === 'regex') return regex(value).test(text);
  if (syntax === 'semver') return tagSatisfies(text, value);
  return matchesNameFilter(value, text);
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
      return (
        matchesValue(filter.value, filter.syntax, subject.repository) !== (filter.decoration === 'excludes')
      );
    case 'tag':
      if (subject.tag === undefined) return true;
      return matchesValue(filter.value, filter.syntax, subject.tag) !== (filter.decoration === 'excludes');
    case 'label': {
      const labels = subject.labels;
      if (labels === undefined) return true;
      return filter.decoration === 'excludes'
        ? filter.value.every((label) => !labels.includes(label))
        : filter.value.every((label) => labels.includes(label));
    }
    case 'resource':
      return subject.kind === undefined || filter.value === 'artifact' || subject.kind === filter.value;
    // Judged on a repository's whole tag list (tag-selection.ts), not on one tag.
    case 'newest':
    case 'max_age':
      return true;
  }
}

/** Whether every filter of a policy lets the subject through. */
export function matchesFilters(filters: readonly ReplicationFilter[], subject: FilterSubject): boolean {
  return filters.every((filter) => matchesOne(filter, subject));
}
