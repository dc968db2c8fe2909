import { z } from 'zod';
import { braceAlternatives } from './brace-alternatives.js';

const Decoration = z.enum(['matches', 'excludes']);

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

/** Harbor's filters; every filter of a policy must match. */
export const ReplicationFilter = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('name'), value: GlobPattern, decoration: Decoration.optional() }),
  z.strictObject({ type: z.literal('tag'), value: GlobPattern, decoration: Decoration.optional() }),
  z.strictObject({
    type: z.literal('label'),
    value: z.array(z.string().min(1).max(255)).max(50),
    decoration: Decoration.optional(),
  }),
  // `image`: container images only; `artifact`: every kind of artifact.
  z.strictObject({ type: z.literal('resource'), value: z.enum(['image', 'artifact']) }),
]);
export type ReplicationFilter = z.infer<typeof ReplicationFilter>;
