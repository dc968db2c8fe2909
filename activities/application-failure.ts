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

/** When trying again can help (ISO 8601), when the error says: a registry's rate limit, a receiver's Retry-After. */
function resumeAtOf(error: ClassifiedError): string | undefined {
  const resumeAt = (error as { resumeAt?: unknown }).resumeAt;
  return typeof resumeAt === 'string' && Number.isFinite(Date.parse(resumeAt)) ? resumeAt : undefined;
}

/**
 * The activity edge: a Regatta error becomes an ApplicationFailure typed by its `code`, marked
 * non-retryable when it is permanent, so Temporal does not retry what cannot succeed. An error
 * that says when to try again (a rate limit, REGISTRY_RATE_LIMITED, or a notification receiver's
 * Retry-After) carries `{ resumeAt }` in its details for the workflow, and Temporal's own retry
 * waits until then rather than on its backoff.
 */
export function toApplicationFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure || !isClassified(error)) return error;
  const resumeAt = resumeAtOf(error);
  return ApplicationFailure.create({
    type: error.code,
    message: error.message,
    nonRetryable: !error.retryable,
    cause: error instanceof Error ? error : undefined,
    ...(resumeAt
      ? {
          details: [{ resumeAt }],
          nextRetryDelay: Math.max(1000, Date.parse(resumeAt) - Date.now()),
        }
      : {}),
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
