import { InvalidInputError } from '../errors/regatta-error.js';

/** A query parameter that must be one of `values`; undefined when absent or empty. */
export function optionalEnum<T extends string>(
  value: unknown,
  values: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !values.includes(value as T)) {
    throw new InvalidInputError(`${name}: must be one of ${values.join(', ')}`, name);
  }
  return value as T;
}
