import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';

interface ClassifiedError {
  code: string;
  retryable: boolean;
  message: string;
}

function isClassified(error: unknown): error is ClassifiedError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as ClassifiedError).code === 'string' &&
    typeof (error as ClassifiedError).retryable === 'boolean'
  );
}

/**
 * The activity edge: a Regatta error becomes an ApplicationFailure typed by its `code`, marked
 * non-retryable when it is permanent, so Temporal does not retry what cannot succeed.
 */
export function toApplicationFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure || !isClassified(error)) return error;
  return ApplicationFailure.create({
    type: error.code,
    message: error.message,
    nonRetryable: !error.retryable,
    cause: error instanceof Error ? error : undefined,
  });
}

/**
 * Runs an activity body and translates what it throws at the edge. Whatever a cancelled activity
 * throws (an abort deep in a copy) is reported as the cancellation it is.
 */
export async function atActivityEdge<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (Context.current().cancellationSignal.aborted)
      throw new CancelledFailure('activity cancelled', undefined, error instanceof Error ? error : undefined);
    throw toApplicationFailure(error);
  }
}
