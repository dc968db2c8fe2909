import { RegattaError } from '../errors/regatta-error.js';

/** The receiver answered and refused for good (a 4xx but 408 and 429, or a redirect, which is not followed). */
export class NotificationRejectedError extends RegattaError {
  readonly code = 'NOTIFICATION_REJECTED';
  readonly retryable = false;

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The receiver answered that it cannot take it now (5xx, 408, 429): tried again later, not before
 * `resumeAt` (ISO 8601) when its `Retry-After` said when.
 */
export class NotificationServerError extends RegattaError {
  readonly code = 'NOTIFICATION_SERVER_ERROR';
  readonly retryable = true;

  constructor(
    message: string,
    readonly status: number,
    readonly resumeAt?: string,
  ) {
    super(message);
  }
}

/** No answer: refused connection, DNS, TLS, or none within the deadline. Tried again later. */
export class NotificationUnreachableError extends RegattaError {
  readonly code = 'NOTIFICATION_UNREACHABLE';
  readonly retryable = true;
}

/** The policy a delivery was queued for is disabled: it is not sent. */
export class NotificationPolicyDisabledError extends RegattaError {
  readonly code = 'NOTIFICATION_POLICY_DISABLED';
  readonly retryable = false;
}
