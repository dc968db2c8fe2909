import { RegattaError } from '../errors/regatta-error.js';

/** Too many requests (failed logins, webhook deliveries) from one client; try again after `retryAfterSeconds`. */
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

/** A body in a content type the route does not read. */
export class UnsupportedMediaTypeError extends RegattaError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly retryable = false;
}

/** A known path asked with a method it does not have; the answer's `Allow` names those it has. */
export class MethodNotAllowedError extends RegattaError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly retryable = false;
}
