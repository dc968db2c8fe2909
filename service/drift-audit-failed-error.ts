import { RegattaError } from '../errors/regatta-error.js';

/** A drift audit ended in failure (a registry it needs could not be read); asking again may work. */
export class DriftAuditFailedError extends RegattaError {
  readonly code = 'DRIFT_AUDIT_FAILED';
  readonly retryable = true;
}
