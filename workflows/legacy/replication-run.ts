// Frozen: the run as released before pages were copied in batches (patches.batchedPages). Runs
// started by those releases replay here, so what it does never changes; it goes once none can be open.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  ReplicationRunInput,
  repositoryKey,
  runStatusQuery,
  type Artifact,
  type ExecutionSummary,
  type Operation,
  type PageRecord,
  type ReplicationActivities,
  runFailedType,
} from '../../contract/index.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { summarizeExecution } from '../execution-summary.js';
import { pageWorkflowId } from '../page-identity.js';
import { patches } from '../patches.js';
import { replicationBatch } from './replication-batch.js';
import { addTallies, pendingTally, stopUnfinished } from '../task-tally.js';

const { recordExecution, recordRunResult, enumerateArtifacts, planPrune } =
  proxyActivities<ReplicationActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '60 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
  });

/** Artifacts per child batch: bounds each child's history; the parent keeps a tally per page. */
export const pageSize = 500;
/** Artifacts copied at once within a batch. */
export const artifactConcurrency = 4;
/** Repositories named in the `RegattaRepository` search attribute, enough to find event runs. */
const maxRepositoriesInSearchAttribute = 20;

/**
 * One execution of one policy: enumerate the source (unless the artifacts are given), map names
 * per destination, and copy every artifact to every destination, page by page. A dry run takes the
 * same path with read-only activities, so its tasks are the plan the next real run carries out.
 */
export async function legacyReplicationRun(rawInput: ReplicationRunInput): Promise<ExecutionSummary> {
  const input = ReplicationRunInput.parse(rawInput);
  const { policy } = input;
  const pages: PageRecord[] = [];
  let finished = false;
  let stopped = false;
  let activePage: string | undefined;
  const refusals: string[] = [];
  const summarize = (done: boolean, tally = addTallies(pages.map((page) => page.tally))) =>
    summarizeExecution(tally, done, {
      stopped,
      skipReason: input.skipReason,
      refusal: refusals.join('; ') || undefined,
      dryRun: input.dryRun,
    });
  setHandler(runStatusQuery, () => {
    const tally = addTallies(pages.map((page) => page.tally));
    return {
      summary: summarize(finished, tally),
      tally,
      pages,
      ...(activePage ? { activePage } : {}),
    };
  });

  const repositories = new Set<string>();
  // Harbor's `speed` is KiB/s for the whole run, shared by the artifacts copied at once.
  const bytesPerSecond = policy.speed > 0 ? (policy.speed * 1024) / artifactConcurrency : undefined;

  let nextTaskId = 1;
  const runPage = async (
    artifacts: Artifact[],
    operation: Operation,
    pagePolicy: PolicySnapshot = policy,
  ) => {
    for (const artifact of artifacts) {
      if (repositories.size < maxRepositoriesInSearchAttribute) repositories.add(artifact.repository);
    }
    upsertSearchAttributes([{ key: repositoryKey, value: [...repositories] }]);
    const taskCount = artifacts.length * pagePolicy.destinations.length;
    const page: PageRecord = {
      workflowId: pageWorkflowId(workflowInfo().workflowId, pages.length + 1),
      firstTaskId: nextTaskId,
      taskCount,
      tally: pendingTally(taskCount),
    };
    pages.push(page);
    nextTaskId += taskCount;
    activePage = page.workflowId;
    const result = await executeChild(replicationBatch, {
      workflowId: page.workflowId,
      args: [
        {
          policy: pagePolicy,
          artifacts,
          operation,
          firstTaskId: page.firstTaskId,
          concurrency: artifactConcurrency,
          checkUpToDate: !input.artifacts,
          bytesPerSecond,
          dryRun: input.dryRun,
          ...(input.eventTime ? { eventTime: input.eventTime } : {}),
        },
      ],
    });
    activePage = undefined;
    page.tally = result.tally;
    const summary = summarize(false);
    setCurrentDetails(`${summary.statusText}; ${summary.bytes} bytes ${input.dryRun ? 'to copy' : 'copied'}`);
    if (result.stopped || CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('stopped');
  };

  // A mirror deletes, per destination, what the source no longer has, unless the guardrails refuse.
  const prune = async () => {
    for (const destination of policy.destinations) {
      const plan = await planPrune({ policy, destinationRegistryId: destination.registry_id });
      if (plan.refusal) refusals.push(`${destination.name}: ${plan.refusal}`);
      else if (plan.artifacts.length > 0)
        await runPage(plan.artifacts, 'delete', { ...policy, destinations: [destination] });
    }
  };

  // How the run ended is kept in the store, so a closed run is read without replaying it.
  const ended = async (summary: ExecutionSummary): Promise<ExecutionSummary> => {
    if (patched(patches.closedRunsInStore)) {
      const workflowId = workflowInfo().workflowId;
      await CancellationScope.nonCancellable(() => recordRunResult({ workflowId, summary }));
    }
    return summary;
  };

  try {
    await recordExecution({
      workflowId: workflowInfo().workflowId,
      policyId: policy.id,
      trigger: input.trigger,
    });
    if (input.skipReason) {
      finished = true;
      return await ended(summarize(true));
    }
    if (input.artifacts) {
      await runPage(input.artifacts, input.operation);
    } else {
      let cursor: Awaited<ReturnType<typeof enumerateArtifacts>>['next'];
      for (;;) {
        const page = await enumerateArtifacts({ policy, cursor, pageSize });
        if (page.artifacts.length > 0) await runPage(page.artifacts, input.operation);
        if (!page.next) break;
        cursor = page.next;
      }
      if (policy.mirror?.prune) await prune();
    }
  } catch (error) {
    if (isCancellation(error)) {
      stopped = true;
      // The active page marks its unfinished tasks Stopped; its tally here may predate that.
      for (const page of pages) page.tally = stopUnfinished(page.tally);
      await ended(summarize(true));
      // Rethrown, the cancellation ends the run as cancelled: Harbor's API and the Temporal UI show it stopped.
      throw error;
    }
    // A failure that ends the run (a listing or a page that failed for good) is kept with its reason.
    if (error instanceof TemporalFailure) {
      await ended({ ...summarize(true), status: 'Failed', statusText: `run failed: ${error.message}` });
    }
    throw error;
  }
  finished = true;
  const summary = await ended(summarize(true));
  if (summary.status === 'Failed' && patched(patches.failedRunsFail)) {
    throw ApplicationFailure.create({
      type: runFailedType,
      message: summary.statusText,
      nonRetryable: true,
      details: [summary],
    });
  }
  return summary;
}
