import { RegattaError } from '../errors/regatta-error.js';

/** Temporal did not accept the work (unreachable, or no answer in time): the sender should try again. */
export class TemporalUnavailableError extends RegattaError {
  readonly code = 'TEMPORAL_UNAVAILABLE';
  readonly retryable = true;
}
