import { z } from 'zod';

const Decoration = z.enum(['matches', 'excludes']);

// brace-expansion sequences (`{1..9}`) are not doublestar syntax and can expand enormously.
const GlobPattern = z
  .string()
  .max(255)
  .refine(
    (pattern) => !/\{[^}]*\.\.[^}]*\}/.test(pattern),
    'sequence braces such as {1..9} are not supported',
  );

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
