/**
 * The one error base of Regatta. Every error is classified where it is born: a stable `code`
 * that callers match on (never the message), and whether trying again could succeed.
 */
export abstract class RegattaError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting or an argument is invalid; fixing the input is the only remedy. */
export class InvalidInputError extends RegattaError {
  readonly code = 'INVALID_INPUT';
  readonly retryable = false;

  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Something outside the project (a binary, a server) is missing or did not start. */
export class EnvironmentError extends RegattaError {
  readonly code = 'ENVIRONMENT';
  readonly retryable = false;
}

/** Reads `code` from anything thrown, without trusting its class across process boundaries. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
