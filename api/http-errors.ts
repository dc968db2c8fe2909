import { RegattaError } from '../errors/regatta-error.js';

/** No credentials, or credentials that do not authenticate. */
export class UnauthorizedError extends RegattaError {
  readonly code = 'UNAUTHORIZED';
  readonly retryable = false;
}

/** Authenticated, but the role does not allow this. */
export class ForbiddenError extends RegattaError {
  readonly code = 'FORBIDDEN';
  readonly retryable = false;
}

/** Too many failed logins from one address; try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends RegattaError {
  readonly code = 'TOO_MANY_REQUEST';
  readonly retryable = true;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** `POST /registries/ping` reached a verdict: the registry is not usable as configured. */
export class RegistryUnhealthyError extends RegattaError {
  readonly code = 'REGISTRY_UNHEALTHY';
  readonly retryable = false;

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}
