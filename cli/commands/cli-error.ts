import { RegattaError } from '../../errors/regatta-error.js';

/** Stable codes the CLI reports; scripts match on these, never on the message. */
export type CliErrorCode =
  | 'USAGE'
  | 'INVALID_FILE'
  | 'MISSING_VARIABLE'
  | 'NOT_FOUND'
  | 'API_UNREACHABLE'
  | 'API_ERROR'
  | 'RUN_FAILED';

/** A failure of a `regatta` client command: a message for people and a code for scripts. */
export class CliError extends RegattaError {
  readonly retryable = false;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** The HTTP status when the API answered with an error. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Exit codes: 2 for a wrong command line (as getopt tools do), 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError && error.code === 'USAGE' ? 2 : 1;
}
