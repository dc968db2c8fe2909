import type { Request, Response } from 'express';
import { InvalidInputError } from '../errors/regatta-error.js';
import type { ListFields, ListQuery } from '../service/index.js';

const maxPageSize = 100;

function single(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`${name}: must be given once`, name);
  return value;
}

function positiveInteger(req: Request, name: string, fallback: number, max: number): number {
  const text = single(req, name);
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new InvalidInputError(`${name}: must be an integer from 1 to ${max}`, name);
  }
  return Number(text);
}

function typedValue(fields: ListFields, field: string, text: string): string | number | boolean {
  const unquoted = /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
  switch (fields[field]!.kind) {
    case 'number':
      if (!/^-?\d{1,15}$/.test(unquoted)) throw new InvalidInputError(`q: ${field} must be an integer`, 'q');
      return Number(unquoted);
    case 'boolean':
      if (unquoted !== 'true' && unquoted !== 'false')
        throw new InvalidInputError(`q: ${field} must be true or false`, 'q');
      return unquoted === 'true';
    case 'string':
      return unquoted;
  }
}

function knownField(fields: ListFields, field: string, parameter: 'q' | 'sort'): string {
  if (!Object.hasOwn(fields, field)) {
    throw new InvalidInputError(
      `${parameter}: "${field}" is not one of ${Object.keys(fields).join(', ')}`,
      parameter,
    );
  }
  return field;
}

/**
 * Harbor's list parameters: `page`, `page_size` (at most 100), `q` (`k=v` exact, `k=~v`
 * fuzzy; comma-separated) and `sort` (`name,-creation_time`). `name` (deprecated in Harbor)
 * is a fuzzy match on the name.
 */
export function parseListParams(req: Request, fields: ListFields): Required<ListQuery> {
  const query: Required<ListQuery> = {
    exact: [],
    fuzzy: [],
    sort: [],
    page: positiveInteger(req, 'page', 1, 1_000_000),
    pageSize: positiveInteger(req, 'page_size', 10, maxPageSize),
  };
  for (const term of (single(req, 'q') ?? '').split(',').filter((part) => part.trim() !== '')) {
    const match = /^\s*([a-z_]+)=(~?)(.*)$/.exec(term);
    if (!match)
      throw new InvalidInputError('q: terms are k=v (exact) or k=~v (fuzzy), separated by commas', 'q');
    const [, key = '', tilde, value = ''] = match;
    const field = knownField(fields, key, 'q');
    if (/^[[{(]/.test(value))
      throw new InvalidInputError('q: ranges and lists are not supported; use k=v or k=~v', 'q');
    if (tilde) query.fuzzy.push({ field, value: value.replace(/^(["'])(.*)\1$/, '$2') });
    else query.exact.push({ field, value: typedValue(fields, field, value) });
  }
  const name = single(req, 'name');
  if (name && Object.hasOwn(fields, 'name')) query.fuzzy.push({ field: 'name', value: name });
  for (const part of (single(req, 'sort') ?? '').split(',').filter((item) => item.trim() !== '')) {
    const descending = part.trim().startsWith('-');
    query.sort.push({ field: knownField(fields, part.trim().replace(/^-/, ''), 'sort'), descending });
  }
  return query;
}

/** `X-Total-Count` and Harbor's `Link` header (prev/next), keeping the other parameters. */
export function setPageHeaders(req: Request, res: Response, query: Required<ListQuery>, total: number): void {
  res.setHeader('X-Total-Count', String(total));
  const link = (page: number, rel: string) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query))
      if (typeof value === 'string') params.set(key, value);
    params.set('page', String(page));
    params.set('page_size', String(query.pageSize));
    const path = req.path === '/' ? req.baseUrl : `${req.baseUrl}${req.path}`;
    return `<${path}?${params.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (query.page > 1) links.push(link(query.page - 1, 'prev'));
  if (query.page * query.pageSize < total) links.push(link(query.page + 1, 'next'));
  if (links.length > 0) res.setHeader('Link', links.join(' , '));
}
