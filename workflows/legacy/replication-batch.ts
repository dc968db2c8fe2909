// Frozen: the run as released before pages were copied in batches (patches.batchedPages). Runs
// started by those releases replay here, so what it does never changes; it goes once none can be open.
import {
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  pageTasksQuery,
  runStatusQuery,
  selectTasks,
  type Artifact,
  type Operation,
  type ReplicationActivities,
  type ReplicationTask,
  type TaskTally,
} from '../../contract/index.js';
import { destinationRepository, PolicySnapshot } from '../../policies/index.js';
import { summarizeExecution } from '../execution-summary.js';
import { pageOfWorkflowId } from '../page-identity.js';
import { patches } from '../patches.js';
import { planTasks } from '../plan-tasks.js';
import { replicateArtifacts } from './replicate-artifacts.js';
import { tallyTasks } from '../task-tally.js';

const { recordPageTasks } = proxyActivities<ReplicationActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export interface ReplicationBatchInput {
  policy: PolicySnapshot;
  artifacts: Artifact[];
  operation: Operation;
  /** The id of this page's first task; ids run on across the pages of a run. */
  firstTaskId: number;
  concurrency: number;
  bytesPerSecond?: number;
  checkUpToDate?: boolean;
  dryRun?: boolean;
  eventTime?: string;
}

export interface ReplicationBatchResult {
  tally: TaskTally;
  stopped: boolean;
}

/** A dry run's deletes: the prune plan already holds each tag's digest at the destination. */
function planDeletes(tasks: ReplicationTask[], artifacts: readonly Artifact[]): void {
  const now = new Date().toISOString();
  for (const task of tasks) {
    if (task.status !== 'Pending') continue;
    const digest = artifacts[task.artifactIndex]?.digest;
    Object.assign(task, {
      status: 'Succeed',
      outcome: 'would_delete',
      attempts: 1,
      startTime: now,
      endTime: now,
      ...(digest ? { digest } : {}),
    });
  }
}

/**
 * One page of a run, as a child workflow that plans and keeps its own tasks: each page's
 * activities and tasks live in its own history, and the parent keeps only a tally per page, so
 * the parent's history stays small for runs of tens of thousands of tags.
 */
export async function replicationBatch(input: ReplicationBatchInput): Promise<ReplicationBatchResult> {
  // A page started by an earlier release carries its snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const tasks = planTasks(policy, input.artifacts, input.firstTaskId, input.operation, (repository) =>
    destinationRepository(repository, policy),
  );
  let finished = false;
  let stopped = false;
  setHandler(runStatusQuery, () => {
    const tally = tallyTasks(tasks);
    return {
      summary: summarizeExecution(tally, finished, { stopped, dryRun: input.dryRun ?? false }),
      tally,
    };
  });
  setHandler(pageTasksQuery, (request) => selectTasks(tasks, request));
  try {
    if (input.dryRun && input.operation === 'delete') planDeletes(tasks, input.artifacts);
    else await replicateArtifacts({ ...input, policy, tasks });
  } catch (error) {
    if (!isCancellation(error)) throw error;
  }
  stopped = CancellationScope.current().consideredCancelled;
  finished = true;
  if (patched(patches.closedRunsInStore)) {
    // Kept even when stopped: the tasks of a closed run are read from the store, never by a replay.
    const { runWorkflowId, page } = pageOfWorkflowId(workflowInfo().workflowId);
    await CancellationScope.nonCancellable(() =>
      recordPageTasks({ runWorkflowId, page, firstTaskId: input.firstTaskId, tasks }),
    );
  }
  // A stop is reported in the result rather than thrown, so the parent keeps what finished.
  return { tally: tallyTasks(tasks), stopped };
}
