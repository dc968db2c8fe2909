import { InvalidInputError } from '../errors/regatta-error.js';
import { nextLink } from './link-header.js';
import { header, readBounded } from './response-body.js';
import type { Transport } from './transport.js';

export interface PageOptions {
  pageSize?: number;
  /** Upper bound on pages followed, so a registry that loops its `Link` cannot hold us forever. */
  maxPages?: number;
  signal?: AbortSignal;
}

const maxPageBytes = 16 * 1024 * 1024;

/**
 * Names from a paginated list (`/v2/_catalog`, `/v2/<name>/tags/list`), one page at a time,
 * following `n` and `Link: <…>; rel="next"`. A 404 (for tags: no such repository) is an empty list.
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
  let url: string | undefined = `${path}?n=${pageSize}`;
  const seen = new Set<string>();
  for (let page = 0; url && page < (options.maxPages ?? 100_000); page++) {
    seen.add(url);
    const response = await transport.send({
      method: 'GET',
      url,
      scopes,
      expect: repository ? [200, 404] : [200],
      context: { repository },
      what: `list ${field}`,
      signal: options.signal,
    });
    if (response.statusCode === 404) {
      await response.body.dump();
      return;
    }
    const body = (await readBounded(response, maxPageBytes, transport.registry)).toString('utf8');
    const names = (JSON.parse(body) as Record<string, unknown>)[field];
    if (Array.isArray(names) && names.length > 0) {
      yield names.filter((name): name is string => typeof name === 'string');
    }
    const next = nextLink(header(response, 'link'));
    const resolved = next ? new URL(next, transport.origin) : undefined;
    // A next page on another origin, or one already read, ends the listing rather than leak or loop.
    url = resolved?.origin === transport.origin ? resolved.pathname + resolved.search : undefined;
    if (url && seen.has(url)) url = undefined;
  }
}
