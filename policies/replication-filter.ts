import { z } from 'zod';
import { braceAlternatives } from './brace-alternatives.js';
import { errorCode } from '../errors/regatta-error.js';
import { compileRegex } from './linear-regex.js';
import { assertVersionRange } from './version-range.js';

const Decoration = z.enum(['matches', 'excludes']);

/**
 * How a name or tag filter's `value` is read: Harbor's glob (the default), a regular expression
 * (matched anywhere unless anchored, as RE2 does), or, for tags, an npm semver range.
 */
export const FilterSyntax = z.enum(['glob', 'regex', 'semver']).meta({
  description:
    "how value is read: glob (Harbor's, the default), regex (RE2's syntax without backreferences or lookaround, matched anywhere unless anchored, in linear time) or semver (an npm range such as >=1.25.0 <2; tags only)",
});
export type FilterSyntax = z.infer<typeof FilterSyntax>;

/** Patterns one glob may expand to: matching compiles each, so 100,000 cost 0.8 s and 78 MB. */
export const maxGlobAlternatives = 1000;

const sequenceBraces = /\{[^}]*\.\.[^}]*\}/;

/**
 * A Harbor glob (doublestar: `*`, `**`, `{a,b}`, classes). Brace sequences (`{1..9}`) are not
 * doublestar syntax and expand enormously; alternatives are capped at `maxGlobAlternatives`.
 */
export const GlobPattern = z
  .string()
  .max(255)
  .refine((pattern) => !sequenceBraces.test(pattern), 'sequence braces such as {1..9} are not supported')
  .refine(
    (pattern) => braceAlternatives(pattern) <= maxGlobAlternatives,
    `expands to more than ${maxGlobAlternatives} patterns ({a,b}{c,d} is 4)`,
  )
  .meta({ not: { pattern: sequenceBraces.source } });

/** Checks a value as its syntax reads it; the message names the position of what is wrong. */
function checkValue(
  filter: { value: string; syntax?: FilterSyntax | undefined },
  context: z.RefinementCtx,
): void {
  const problem = (message: string) => context.addIssue({ code: 'custom', path: ['value'], message });
  const syntax = filter.syntax ?? 'glob';
  if (syntax === 'glob') {
    const glob = GlobPattern.safeParse(filter.value);
    if (!glob.success) return problem(glob.error.issues[0]?.message ?? 'is not a valid glob');
  }
  try {
    if (syntax === 'regex') compileRegex(filter.value);
    if (syntax === 'semver') assertVersionRange(filter.value);
  } catch (error) {
    if (errorCode(error) !== 'INVALID_INPUT') throw error;
    problem(
      `is not a valid ${syntax === 'regex' ? 'regular expression' : 'semver range'} ${(error as Error).message}`,
    );
  }
}

/** `30d`, `12h`, `90m`, `2w`, `3600s`: how old an image may be. */
export const AgeBound = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhdw]$/, 'must be a number and a unit: s, m, h, d or w');

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in an age bound (`30d` → 2,592,000). */
export function ageBoundSeconds(bound: string): number {
  return Number(bound.slice(0, -1)) * unitSeconds[bound.slice(-1)]!;
}

/**
 * Harbor's filters (`name`, `tag`, `label`, `resource`), every one of which must match, plus
 * Regatta's additions: `syntax` on name and tag filters, `newest` (the N highest versions among
 * the tags the other filters let through, per repository) and `max_age` (images created within
 * the bound, read from each image's config). A Harbor filter reads exactly as in Harbor.
 */
export const ReplicationFilter = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('name'),
      value: z.string().max(255),
      decoration: Decoration.optional(),
      syntax: FilterSyntax.exclude(['semver']).optional(),
    })
    .superRefine(checkValue),
  z
    .strictObject({
      type: z.literal('tag'),
      value: z.string().max(255),
      decoration: Decoration.optional(),
      syntax: FilterSyntax.optional(),
    })
    .superRefine(checkValue),
  z.strictObject({
    type: z.literal('label'),
    value: z.array(z.string().min(1).max(255)).max(50),
    decoration: Decoration.optional(),
  }),
  // `image`: container images only; `artifact`: every kind of artifact.
  z.strictObject({ type: z.literal('resource'), value: z.enum(['image', 'artifact']) }),
  z.strictObject({ type: z.literal('newest'), value: z.number().int().min(1).max(10_000) }).meta({
    description:
      'per repository, the value highest versions (semver) among the tags the other filters let through; not with an event_based trigger',
  }),
  z.strictObject({ type: z.literal('max_age'), value: AgeBound }).meta({
    description:
      "images created within value (30d, 12h, 2w), read from each image's config; not with an event_based trigger",
  }),
]);
export type ReplicationFilter = z.infer<typeof ReplicationFilter>;

/** A policy's filters: `newest` and `max_age` at most once each, since every filter must match. */
export const ReplicationFilters = z
  .array(ReplicationFilter)
  .max(50)
  .superRefine((filters, context) => {
    const seen = new Set<string>();
    filters.forEach((filter, index) => {
      if (filter.type !== 'newest' && filter.type !== 'max_age') return;
      if (seen.has(filter.type))
        context.addIssue({
          code: 'custom',
          path: [index, 'type'],
          message: `a policy has at most one ${filter.type} filter`,
        });
      seen.add(filter.type);
    });
  });
