import { CancellationScope, isCancellation, setHandler } from '@temporalio/workflow';
import { replicateArtifacts } from './replicate-artifacts.js';
import type { Artifact, Operation, PolicySnapshot, ReplicationTask } from './replication-model.js';
import { runStatusQuery, selectTasks } from './run-status-query.js';
import { summarizeExecution } from './execution-summary.js';

export interface ReplicationBatchInput {
  policy: PolicySnapshot;
  artifacts: Artifact[];
  operation: Operation;
  tasks: ReplicationTask[];
  concurrency: number;
  bytesPerSecond?: number;
  checkUpToDate?: boolean;
  dryRun?: boolean;
  eventTime?: string;
}

export interface ReplicationBatchResult {
  tasks: ReplicationTask[];
  stopped: boolean;
}

/**
 * One page of a run, as a child workflow: each page's activities live in their own history, so
 * the parent's history stays small for runs of many thousands of tags.
 */
export async function replicationBatch(input: ReplicationBatchInput): Promise<ReplicationBatchResult> {
  const tasks = input.tasks;
  let finished = false;
  let stopped = false;
  setHandler(runStatusQuery, (request) => ({
    summary: summarizeExecution(tasks, finished, { stopped, dryRun: input.dryRun ?? false }),
    ...selectTasks(tasks, request),
  }));
  try {
    await replicateArtifacts({ ...input, tasks });
  } catch (error) {
    if (!isCancellation(error)) throw error;
  }
  stopped = CancellationScope.current().consideredCancelled;
  finished = true;
  // A stop is reported in the result rather than thrown, so the parent keeps the tasks that finished.
  return { tasks, stopped };
}
