import {
  CancellationScope,
  CancelledFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createReplicationActivities } from '../activities/create-replication-activities.js';
import { destinationRepository } from '../policies/destination-repository.js';
import { repositoryKey } from '../temporal/search-attributes.js';
import { summarizeExecution } from './execution-summary.js';
import { planTasks } from './plan-tasks.js';
import { replicationBatch } from './replication-batch.js';
import {
  ReplicationRunInput,
  type Artifact,
  type ExecutionSummary,
  type ReplicationTask,
} from './replication-model.js';
import { runStatusQuery, selectTasks } from './run-status-query.js';

const { recordExecution, enumerateArtifacts } = proxyActivities<
  ReturnType<typeof createReplicationActivities>
>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '60 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Artifacts per child batch: bounds both the parent's and each child's history. */
export const pageSize = 500;
/** Artifacts copied at once within a batch. */
export const artifactConcurrency = 4;
/** Repositories named in the `RegattaRepository` search attribute, enough to find event runs. */
const maxRepositoriesInSearchAttribute = 20;

/**
 * One execution of one policy: enumerate the source (unless the artifacts are given), map names
 * per destination, and copy every artifact to every destination, page by page.
 */
export async function replicationRun(rawInput: ReplicationRunInput): Promise<ExecutionSummary> {
  const input = ReplicationRunInput.parse(rawInput);
  const { policy } = input;
  const tasks: ReplicationTask[] = [];
  let finished = false;
  let stopped = false;
  let activePage: string | undefined;
  setHandler(runStatusQuery, (request) => ({
    summary: summarizeExecution(tasks, finished, stopped, input.skipReason),
    ...selectTasks(tasks, request),
    ...(activePage ? { activePage } : {}),
  }));

  const mapRepository = (repository: string) =>
    destinationRepository(repository, {
      dest_namespace: policy.destNamespace,
      dest_namespace_replace_count: policy.destNamespaceReplaceCount,
    });
  const repositories = new Set<string>();
  const bytesPerSecond = policy.speedKiBps ? (policy.speedKiBps * 1024) / artifactConcurrency : undefined;

  const runPage = async (artifacts: Artifact[], pageNumber: number) => {
    const planned = planTasks(policy, artifacts, tasks.length + 1, input.operation, mapRepository);
    tasks.push(...planned);
    for (const artifact of artifacts) {
      if (repositories.size < maxRepositoriesInSearchAttribute) repositories.add(artifact.repository);
    }
    upsertSearchAttributes([{ key: repositoryKey, value: [...repositories] }]);
    activePage = `${workflowInfo().workflowId}/page-${pageNumber}`;
    const result = await executeChild(replicationBatch, {
      workflowId: activePage,
      args: [
        {
          policy,
          artifacts,
          operation: input.operation,
          tasks: planned,
          concurrency: artifactConcurrency,
          bytesPerSecond,
        },
      ],
    });
    activePage = undefined;
    tasks.splice(tasks.length - planned.length, planned.length, ...result.tasks);
    const summary = summarizeExecution(tasks, false);
    setCurrentDetails(`${summary.statusText}; ${summary.bytes} bytes copied`);
    if (result.stopped || CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('stopped');
  };

  try {
    await recordExecution({
      workflowId: workflowInfo().workflowId,
      policyId: policy.id,
      trigger: input.trigger,
    });
    if (input.artifacts) {
      await runPage(input.artifacts, 1);
    } else {
      let cursor: Awaited<ReturnType<typeof enumerateArtifacts>>['next'];
      for (let pageNumber = 1; ; pageNumber++) {
        const page = await enumerateArtifacts({ policy, cursor, pageSize });
        if (page.artifacts.length > 0) await runPage(page.artifacts, pageNumber);
        if (!page.next) break;
        cursor = page.next;
      }
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    stopped = true;
    for (const task of tasks) {
      if (task.status === 'Pending' || task.status === 'InProgress') task.status = 'Stopped';
    }
    // Rethrown, the cancellation ends the run as cancelled: Harbor's API and the Temporal UI show it stopped.
    throw error;
  }
  finished = true;
  return summarizeExecution(tasks, true);
}
