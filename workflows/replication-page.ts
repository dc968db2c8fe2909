import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  pageTasksQuery,
  runStatusQuery,
  selectTasks,
  type Artifact,
  type Operation,
  type ReadPrunePageInput,
  type ReplicationActivities,
  type ReplicationTask,
  type TaskTally,
} from '../contract/index.js';
import { destinationRepository, PolicySnapshot } from '../policies/index.js';
import { copyPage } from './copy-page.js';
import { summarizeExecution } from './execution-summary.js';
import { pageOfWorkflowId } from './page-identity.js';
import { runActivityRetry, type RetryBudget } from './retry-budget.js';
import { planTasks } from './plan-tasks.js';
import { pageWaitSignal, type RateLimitWait } from './rate-limit-wait.js';
import { tallyTasks } from './task-tally.js';

export interface ReplicationPageInput {
  policy: PolicySnapshot;
  /** Empty when `planned` names where they are. */
  artifacts: Artifact[];
  /** A page of a prune plan kept in the store: the page reads its deletions from there. */
  planned?: ReadPrunePageInput;
  operation: Operation;
  /** The id of this page's first task; ids run on across the pages of a run. */
  firstTaskId: number;
  checkUpToDate: boolean;
  dryRun: boolean;
  eventTime?: string;
  bytesPerSecond?: number;
  /** The run's retry budget; none in pages of runs started before budgets. */
  budget?: RetryBudget;
}

export interface ReplicationPageResult {
  tally: TaskTally;
  stopped: boolean;
}

/**
 * One page of a run (up to 500 artifacts), as a child workflow that plans and keeps its own
 * tasks and copies them in batches: the parent keeps a tally per page, so its history stays
 * small however many tags a run has. The page's tasks are kept in the store when it ends.
 */
export async function replicationPage(input: ReplicationPageInput): Promise<ReplicationPageResult> {
  const policy = PolicySnapshot.parse(input.policy);
  const { recordPageTasks, readPrunePage } = proxyLocalActivities<ReplicationActivities>({
    startToCloseTimeout: '1 minute',
    retry: runActivityRetry(input.budget),
  });
  let artifacts = input.artifacts;
  let tasks: ReplicationTask[] = [];
  const plan = () => {
    tasks = planTasks(policy, artifacts, input.firstTaskId, input.operation, (repository) =>
      destinationRepository(repository, policy),
    );
  };
  // Only pages of runs with paged prune plans have `planned`: the others plan at once, as released.
  if (!input.planned) plan();
  let finished = false;
  let stopped = false;
  let waiting: RateLimitWait | undefined;
  setHandler(runStatusQuery, () => {
    const tally = tallyTasks(tasks);
    return {
      summary: summarizeExecution(tally, finished, { stopped, dryRun: input.dryRun, waiting }),
      tally,
    };
  });
  setHandler(pageTasksQuery, (request) => selectTasks(tasks, request));
  // The run's status says when a page waits for a rate limit, and until when.
  const { workflowId, parent } = workflowInfo();
  const onWait = (wait: RateLimitWait | undefined) => {
    waiting = wait;
    if (parent)
      void getExternalWorkflowHandle(parent.workflowId)
        .signal(pageWaitSignal, { page: workflowId, ...(wait ? { wait } : {}) })
        .catch(() => undefined);
  };
  try {
    if (input.planned) {
      ({ artifacts } = await readPrunePage(input.planned));
      plan();
    }
    await copyPage({ ...input, artifacts, policy, tasks, onWait });
  } catch (error) {
    if (!isCancellation(error)) throw error;
  }
  stopped = CancellationScope.current().consideredCancelled;
  finished = true;
  const { runWorkflowId, page } = pageOfWorkflowId(workflowInfo().workflowId);
  // Kept even when stopped: the tasks of a closed run are read from the store, never by a replay.
  await CancellationScope.nonCancellable(() =>
    recordPageTasks({ runWorkflowId, page, firstTaskId: input.firstTaskId, tasks }),
  );
  // A stop is reported in the result rather than thrown, so the parent keeps what finished.
  return { tally: tallyTasks(tasks), stopped };
}
