import { sql, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { DialectKind } from './dialect.js';

/** A field a list can be filtered and sorted on: its column and how its values are read. */
export interface ListField {
  column: string;
  kind: 'string' | 'number' | 'boolean';
}
export type ListFields = Readonly<Record<string, ListField>>;

/** Harbor's list options, already validated against the entity's fields. */
export const ListQuery = z.object({
  /** `k=v` */
  exact: z
    .array(z.object({ field: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) }))
    .default([]),
  /** `k=~v`: the value anywhere in the field, case-insensitive. */
  fuzzy: z.array(z.object({ field: z.string(), value: z.string() })).default([]),
  sort: z.array(z.object({ field: z.string(), descending: z.boolean() })).default([]),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(10),
});
export type ListQuery = z.input<typeof ListQuery>;

export interface ListPage<T> {
  items: T[];
  total: number;
}

function column(fields: ListFields, field: string): string {
  const found = fields[field];
  if (!found) throw new RangeError(`${field} is not a list field`);
  return found.column;
}

function likePattern(value: string): string {
  return `%${value.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * An exact value as the column holds it: a boolean as 0/1; a number as bigint, so one beyond
 * the integer columns' range matches nothing instead of failing on PostgreSQL.
 */
function comparedValue(value: string | number | boolean) {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return sql<number>`cast(${value} as bigint)`;
  return value;
}

/** Adds the query's conditions to a select; the same for counting and for a page. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the builder's table types vary per entity
export function whereListQuery<Q extends SelectQueryBuilder<any, any, any>>(
  builder: Q,
  fields: ListFields,
  query: ListQuery,
): Q {
  const parsed = ListQuery.parse(query);
  let result = builder;
  for (const { field, value } of parsed.exact) {
    result = result.where(sql.ref(column(fields, field)), '=', comparedValue(value)) as Q;
  }
  for (const { field, value } of parsed.fuzzy) {
    // As text: PostgreSQL has no lower() of a number, SQLite converts it silently.
    result = result.where(
      sql<boolean>`lower(cast(${sql.ref(column(fields, field))} as text)) like ${likePattern(value)} escape '\\'`,
    ) as Q;
  }
  return result;
}

/**
 * Text sorts by its bytes on both engines, as SQLite's BINARY collation does; PostgreSQL would
 * follow the database's locale ('alpha' before 'Beta'), so a page would depend on the engine.
 */
function sortKey(fields: ListFields, field: string, kind: DialectKind) {
  const ref = sql.ref(column(fields, field));
  return kind === 'postgresql' && fields[field]?.kind === 'string' ? sql`${ref} collate "C"` : ref;
}

/** Orders (with `id` last, so pages are stable) and cuts out the page. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export function pageOfListQuery<Q extends SelectQueryBuilder<any, any, any>>(
  builder: Q,
  fields: ListFields,
  query: ListQuery,
  kind: DialectKind,
): Q {
  const parsed = ListQuery.parse(query);
  let result = builder;
  for (const { field, descending } of parsed.sort) {
    result = result.orderBy(sortKey(fields, field, kind), descending ? 'desc' : 'asc') as Q;
  }
  if (!parsed.sort.some(({ field }) => column(fields, field) === 'id'))
    result = result.orderBy(sql.ref('id'), 'asc') as Q;
  return result.limit(parsed.pageSize).offset((parsed.page - 1) * parsed.pageSize) as Q;
}
