import type { Request, Response } from 'express';
import { InvalidInputError } from '../errors/regatta-error.js';
import type { ListField, ListFields, ListQuery } from '../service/index.js';

export const maxPageSize = 100;
export const maxPage = 1_000_000;

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

// The grammar of `q` and `sort` as patterns, so the OpenAPI document states exactly what is
// accepted. ASCII classes only: the same text matches in JavaScript and in a fuzzer's engine.
const fuzzyValue = '~([^,[{(][^,]*)?';
const quoted = (value: string) => `(${value}|"${value}"|'${value}')`;
const exactValue: Record<ListField['kind'], string> = {
  string: '([^,[{(][^,]*)?',
  number: quoted('-?[0-9]{1,15}'),
  boolean: quoted('(true|false)'),
};

/** The patterns `q` and `sort` must match for a list of `fields` (`^$` when nothing may be named). */
export function listQueryPatterns(fields: ListFields): { q: string; sort: string } {
  const names = Object.keys(fields);
  if (names.length === 0) return { q: '^$', sort: '^$' };
  const term = `(${names.map((name) => `${name}=(${fuzzyValue}|${exactValue[fields[name]!.kind]})`).join('|')})`;
  const key = `-?(${names.join('|')})`;
  return { q: `^(${term}(,${term})*)?$`, sort: `^(${key}(,${key})*)?$` };
}

function grammar(req: Request, fields: ListFields, parameter: 'q' | 'sort', pattern: string): string[] {
  const text = single(req, parameter) ?? '';
  if (!new RegExp(pattern).test(text)) {
    const names = Object.keys(fields).join(', ') || 'nothing';
    throw new InvalidInputError(
      parameter === 'q'
        ? `q: terms are k=v (exact) or k=~v (fuzzy), separated by commas, k one of ${names} (ranges and lists are not supported)`
        : `sort: fields separated by commas, - for descending, each one of ${names}`,
      parameter,
    );
  }
  return text === '' ? [] : text.split(',');
}

const unquote = (text: string) => text.replace(/^(["'])(.*)\1$/, '$2');

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
    page: positiveInteger(req, 'page', 1, maxPage),
    pageSize: positiveInteger(req, 'page_size', 10, maxPageSize),
  };
  const patterns = listQueryPatterns(fields);
  for (const term of grammar(req, fields, 'q', patterns.q)) {
    const at = term.indexOf('=');
    const field = term.slice(0, at);
    const value = term.slice(at + 1);
    if (value.startsWith('~')) {
      query.fuzzy.push({ field, value: unquote(value.slice(1)) });
      continue;
    }
    const kind = fields[field]!.kind;
    const typed = unquote(value);
    query.exact.push({
      field,
      value: kind === 'number' ? Number(typed) : kind === 'boolean' ? typed === 'true' : typed,
    });
  }
  const name = single(req, 'name');
  if (name && Object.hasOwn(fields, 'name')) query.fuzzy.push({ field: 'name', value: name });
  for (const part of grammar(req, fields, 'sort', patterns.sort)) {
    query.sort.push({ field: part.replace(/^-/, ''), descending: part.startsWith('-') });
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
