import type { z } from 'zod';

type Nullish<Shape extends z.ZodRawShape> = {
  [Key in keyof Shape]: z.ZodOptional<z.ZodNullable<Shape[Key]>>;
};

/**
 * The same fields, each may be left out or null: Harbor's update bodies, where either means
 * "unchanged".
 */
export function nullishFields<Shape extends z.ZodRawShape>(shape: Shape): Nullish<Shape> {
  return Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => [key, (schema as z.ZodType).nullable().optional()]),
  ) as unknown as Nullish<Shape>;
}
