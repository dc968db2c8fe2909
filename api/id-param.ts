import { InvalidInputError } from '../errors/regatta-error.js';

/** A path id: a positive integer, or a 400 naming `id`. */
export function idParam(value: string | string[] | undefined, name = 'id'): number {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value) || Number(value) < 1) {
    throw new InvalidInputError(`${name}: must be a positive integer`, name);
  }
  return Number(value);
}
