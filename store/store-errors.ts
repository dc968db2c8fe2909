import { RegattaError } from '../errors/regatta-error.js';

/** The thing asked for, or one a body names (`field`), does not exist. */
export class NotFoundError extends RegattaError {
  readonly code = 'NOT_FOUND';
  readonly retryable = false;

  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The write would break a uniqueness rule, such as two policies of one name. */
export class ConflictError extends RegattaError {
  readonly code = 'CONFLICT';
  readonly retryable = false;

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** The thing is still needed, such as a registry a policy uses. */
export class PreconditionError extends RegattaError {
  readonly code = 'PRECONDITION';
  readonly retryable = false;
}

/** The secret key cannot open the secrets already stored: the key changed or the file was swapped. */
export class SecretKeyMismatchError extends RegattaError {
  readonly code = 'SECRET_KEY_MISMATCH';
  readonly retryable = false;
}

/** The database cannot be reached; the same request may succeed once it is back. */
export class StoreUnavailableError extends RegattaError {
  readonly code = 'STORE_UNAVAILABLE';
  readonly retryable = true;
}
