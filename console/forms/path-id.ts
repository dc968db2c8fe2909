import { z } from 'zod';
import { parseInput } from '../../policies/index.js';

const PathId = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a positive integer')
  .transform(Number)
  .refine((id) => id > 0, 'must be a positive integer');

/** An id in a console path: a positive integer, or a 400 naming it. */
export function pathId(value: string | undefined, name = 'id'): number {
  return parseInput(PathId, value, name);
}
