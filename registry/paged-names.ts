import { InvalidInputError, RegattaError } from '../errors/regatta-error.js';
import { isRepositoryName, isTag } from '../oci/index.js';
import { AbortedError, RegistryListingError, type ListingCode } from './errors.js';
import { nextLink } from './link-header.js';
import { header, readBounded } from './response-body.js';
import type { Transport } from './transport.js';

export interface PageOptions {
  pageSize?: number;
  /** Upper bound on pages followed, so a registry that loops its `Link` cannot hold us forever. */
  maxPages?: number;
  /**
   * Tags only: the catalog listed this repository, so a 404 is not "no such repository" but a
   * listing that cannot be trusted (Distribution answers so while a push has sent blobs only).
   */
  inCatalog?: boolean;
  signal?: AbortSignal;
}

/** Bound on one page's body; a page of 1,000 names of the longest kind is well under 1 MiB. */
export const maxPageBytes = 16 * 1024 * 1024;
const defaultMaxPages = 100_000;

/**
 * Names from a paginated list (`/v2/_catalog`, `/v2/<name>/tags/list`), one page at a time,
 * following `n` and `Link: <…>; rel="next"`. A listing is read to its end or fails with a
 * RegistryListingError: a next page on another origin or path, a page already read, more pages
 * than `maxPages`, a body cut short, a body without the list, or names outside the OCI grammar.
 * A 404 for the first page of tags is an empty list, unless the catalog listed the repository.
 */
export async function* pagedNames(
  transport: Transport,
  path: string,
  scopes: string[],
  field: 'repositories' | 'tags',
  repository: string | undefined,
  options: PageOptions,
): AsyncIterable<string[]> {
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new InvalidInputError('pageSize must be a positive integer', 'pageSize');
  }
  const maxPages = options.maxPages ?? defaultMaxPages;
  const what = `list ${field}${repository ? ` of ${repository}` : ''}`;
  const fail = (code: ListingCode, message: string, retryable: boolean, cause?: unknown) =>
    new RegistryListingError(
      code,
      `${what}: ${message}`,
      { registry: transport.registry, repository },
      retryable,
      { cause },
    );
  const isName = field === 'tags' ? isTag : isRepositoryName;

  let url: string | undefined = `${path}?n=${pageSize}`;
  const seen = new Set<string>();
  for (let page = 1; url; page++) {
    if (page > maxPages) throw fail('REGISTRY_LISTING_PAGE_LIMIT', `more than ${maxPages} pages`, false);
    seen.add(url);
    const response = await transport.send({
      method: 'GET',
      url,
      scopes,
      expect: repository ? [200, 404] : [200],
      context: { repository },
      what,
      signal: options.signal,
    });
    if (response.statusCode === 404) {
      await response.body.dump();
      if (page > 1) throw fail('REGISTRY_LISTING_TRUNCATED', `page ${page} answered 404`, true);
      if (options.inCatalog) {
        throw fail(
          'REGISTRY_LISTING_TAGS_UNKNOWN',
          'the catalog lists the repository but its tag list answers 404 (a push still sending blobs?)',
          true,
        );
      }
      return;
    }

    let body: Buffer;
    try {
      body = await readBounded(response, maxPageBytes, transport.registry);
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError(`${what}: aborted`, { cause: error });
      if (error instanceof RegattaError) throw error;
      throw fail('REGISTRY_LISTING_TRUNCATED', `page ${page} ended early`, true, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw fail('REGISTRY_LISTING_INVALID', `page ${page} is not JSON`, false, error);
    }
    const names =
      typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
    // Distribution lists a repository whose tags were all deleted as `"tags": null`.
    if (names !== null && !Array.isArray(names))
      throw fail('REGISTRY_LISTING_INVALID', `page ${page} has no "${field}" list`, false);
    const invalid = (names ?? []).find((name) => typeof name !== 'string' || !isName(name));
    if (invalid !== undefined)
      throw fail(
        'REGISTRY_LISTING_INVALID',
        `page ${page} lists ${JSON.stringify(invalid).slice(0, 300)}`,
        false,
      );

    const next = nextLink(header(response, 'link'));
    url = undefined;
    if (next !== undefined) {
      const resolved = new URL(next, transport.origin);
      // Credentials and trust belong to this listing: a next page elsewhere is refused, not followed.
      if (resolved.origin !== transport.origin || resolved.pathname !== path)
        throw fail(
          'REGISTRY_LISTING_FOREIGN_LINK',
          `page ${page} links to ${resolved.origin}${resolved.pathname}`,
          false,
        );
      url = resolved.pathname + resolved.search;
      if (seen.has(url))
        throw fail('REGISTRY_LISTING_REPEATED_PAGE', `page ${page} links back to ${url}`, false);
    }
    if (names && names.length > 0) yield names as string[];
  }
}
