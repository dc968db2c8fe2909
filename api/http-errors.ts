import { RegattaError } from '../errors/regatta-error.js';

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
