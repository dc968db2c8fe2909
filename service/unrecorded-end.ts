import { noTaskCounts, type ExecutionSummary } from '../contract/index.js';
import type { ExecutionFacts, WorkflowStatusName } from './read-execution.js';

/** Ends a run's own code never reaches, so it cannot record them; what its execution then says. */
const endsOutsideTheRun: Partial<Record<WorkflowStatusName, string>> = {
  TERMINATED: 'terminated in Temporal before the run recorded its end',
  TIMED_OUT: 'timed out in Temporal (its execution timeout) before the run recorded its end',
  UNKNOWN: 'Temporal no longer holds this run (past its retention) and the run never recorded its end',
};

/** How an execution ended, as the store keeps it. */
export interface RecordedEnd {
  summary: ExecutionSummary;
  closedAt: string;
}

/**
 * The end of a run that could not record it (terminated or timed out in Temporal, or forgotten
 * by Temporal past its retention), to keep in the store: from then on the execution reads as
 * failed however long Temporal keeps it, and the execution sweep counts it. Tasks it left going
 * count as failed, since none of them will finish. Undefined when the run recorded its own end
 * or has not ended.
 */
export function unrecordedEnd(execution: ExecutionFacts, now: Date): RecordedEnd | undefined {
  const statusText = endsOutsideTheRun[execution.workflowStatus];
  if (!statusText || execution.summaryIsFinal) return undefined;
  const counts = execution.summary?.counts ?? noTaskCounts;
  return {
    summary: {
      status: 'Failed',
      statusText,
      counts: { ...counts, failed: counts.failed + counts.in_progress, in_progress: 0 },
      bytes: execution.summary?.bytes ?? 0,
      ...(execution.dryRun ? { dryRun: true } : {}),
    },
    closedAt: (execution.closeTime ?? now).toISOString(),
  };
}
