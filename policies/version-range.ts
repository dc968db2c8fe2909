import semver from 'semver';
import { InvalidInputError } from '../errors/regatta-error.js';

// Tags such as `v1.2.3` are versions; a suffix (`1.25.3-alpine`) reads as a prerelease, and
// counts, so that a range selects an image's variants as well (exclude `*-*` to drop them).
// Ranges are read strictly: loose reading drops what it cannot read (`<2x`) without a word.
const rangeOptions = { includePrerelease: true } as const;
const tagOptions = { ...rangeOptions, loose: true } as const;

/** The version a tag names (`1.2.3`, `v1.2.3`, `1.2.3-alpine`), or undefined (`latest`, `1.25`). */
export function tagVersion(tag: string): semver.SemVer | undefined {
  return semver.parse(tag, tagOptions) ?? undefined;
}

/** The range does not parse; `position` is the 0-based offset of the part that does not. */
export class VersionRangeError extends InvalidInputError {
  constructor(
    readonly position: number,
    part: string,
  ) {
    super(`at position ${position}: "${part.slice(0, 40)}" is not a version or comparator`);
  }
}

const operatorOnly = /^(<=|>=|<|>|=|~>?|\^)$/;

/**
 * Checks an npm semver range (`>=1.25.0 <2`, `^1.2 || ~2.0`, `1.2.3 - 1.4`) and throws a
 * VersionRangeError at the first part that is neither a version nor a comparator.
 */
export function assertVersionRange(range: string): void {
  if (semver.validRange(range, rangeOptions) !== null) return;
  const parts = [...range.matchAll(/[^\s|]+|\|\|/g)];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    const text = part[0];
    if (text === '||' || text === '-') continue;
    // `>= 1.2.3` is one comparator written in two parts.
    const joined = operatorOnly.test(text) && parts[index + 1] ? `${text}${parts[++index]![0]}` : text;
    if (semver.validRange(joined, rangeOptions) === null) throw new VersionRangeError(part.index, joined);
  }
  throw new VersionRangeError(0, range);
}

/** Whether a tag names a version within the range; a tag that is no version never is. */
export function tagSatisfies(tag: string, range: string): boolean {
  const version = tagVersion(tag);
  return version !== undefined && semver.satisfies(version, range, rangeOptions);
}

/** The `count` tags naming the highest versions, highest first; tags that are no version are left out. */
export function newestTags(tags: readonly string[], count: number): string[] {
  return tags
    .flatMap((tag) => {
      const version = tagVersion(tag);
      return version ? [{ tag, version }] : [];
    })
    .sort((a, b) => semver.rcompare(a.version, b.version) || (a.tag < b.tag ? -1 : 1))
    .slice(0, count)
    .map(({ tag }) => tag);
}
