import { RegattaError } from './regatta-error.js';

/** No credentials, or credentials that do not authenticate (a user, a token, a webhook secret). */
export class UnauthorizedError extends RegattaError {
  readonly code = 'UNAUTHORIZED';
  readonly retryable = false;
}

/** Authenticated, but the role does not allow this. */
export class ForbiddenError extends RegattaError {
  readonly code = 'FORBIDDEN';
  readonly retryable = false;
}
