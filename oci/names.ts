import { InvalidInputError } from '../errors/regatta-error.js';

// The grammar of the OCI Distribution specification ("Pulling manifests" and "Digests").
const pathComponent = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
/** A repository name as a pattern (for schemas); isRepositoryName also bounds its length. */
export const repositoryPattern = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const hexLength: Record<string, number> = { sha256: 64, sha512: 128 };

export const maxRepositoryLength = 255;

/** A repository name such as `library/nginx`: lowercase path components joined by `/`. */
export function isRepositoryName(value: string): boolean {
  return value.length <= maxRepositoryLength && repositoryPattern.test(value);
}

export function isTag(value: string): boolean {
  return tagPattern.test(value);
}

/**
 * A digest Regatta can verify: the OCI digest grammar with a registered algorithm (sha256,
 * sha512) and an encoded part of lowercase hex of the right length.
 */
export function isDigest(value: string): boolean {
  if (!digestPattern.test(value)) return false;
  const [algorithm, encoded] = value.split(':') as [string, string];
  const length = hexLength[algorithm];
  return length !== undefined && encoded.length === length && /^[a-f0-9]+$/.test(encoded);
}

export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string };

/** A manifest reference: a tag or a digest. */
export function parseReference(value: string, field = 'reference'): Reference {
  if (isDigest(value)) return { kind: 'digest', digest: value };
  if (isTag(value)) return { kind: 'tag', tag: value };
  throw new InvalidInputError(`${field} is neither a valid tag nor a valid digest`, field);
}

export function assertRepositoryName(value: string, field = 'repository'): string {
  if (!isRepositoryName(value)) {
    throw new InvalidInputError(`${field} is not a valid OCI repository name`, field);
  }
  return value;
}

export function assertTag(value: string, field = 'tag'): string {
  if (!isTag(value)) throw new InvalidInputError(`${field} is not a valid OCI tag`, field);
  return value;
}

export function assertDigest(value: string, field = 'digest'): string {
  if (!isDigest(value)) throw new InvalidInputError(`${field} is not a valid sha256/sha512 digest`, field);
  return value;
}

/** The tag under which the OCI referrers tag schema lists the referrers of `digest`. */
export function referrersTag(digest: string): string {
  return assertDigest(digest).replace(':', '-');
}
