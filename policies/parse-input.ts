import type { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';

/** `filters[0].value` from `['filters', 0, 'value']`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

/**
 * The one way input is validated: returns the parsed value or throws an InvalidInputError whose
 * `field` (and the start of its message) is the path of the first bad field. Messages never
 * repeat the value, which may be a secret.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, root = 'body'): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let path = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    path = fieldPath([...issue.path, issue.keys[0] ?? '']);
    throw new InvalidInputError(`${path}: is not a known field`, path);
  }
  const field = path === '' ? root : path;
  throw new InvalidInputError(`${field}: ${issue.message}`, field);
}
