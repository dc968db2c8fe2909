import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { runFailedType, type ExecutionSummary, type ReplicationRunWorkflow } from '../../contract/index.js';

/**
 * How a run ended, as it reported it: its result when it succeeded (or was skipped), the summary a
 * failed run carries as the first detail of its RUN_FAILED failure otherwise.
 */
export async function runOutcome(handle: WorkflowHandle<ReplicationRunWorkflow>): Promise<ExecutionSummary> {
  try {
    return await handle.result();
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === runFailedType)
      return cause.details?.[0] as ExecutionSummary;
    throw error;
  }
}
