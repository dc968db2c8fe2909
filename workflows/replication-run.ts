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
  type Operation,
  type PolicySnapshot,
  type Artifact,
  type ExecutionSummary,
  type ReplicationTask,
} from './replication-model.js';
import { runStatusQuery, selectTasks } from './run-status-query.js';

const { recordExecution, enumerateArtifacts, planPrune } = proxyActivities<
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
 * per destination, and copy every artifact to every destination, page by page. A dry run takes the
 * same path with read-only activities, so its tasks are the plan the next real run carries out.
 */
export async function replicationRun(rawInput: ReplicationRunInput): Promise<ExecutionSummary> {
  const input = ReplicationRunInput.parse(rawInput);
  const { policy } = input;
  const tasks: ReplicationTask[] = [];
  let finished = false;
  let stopped = false;
  let activePage: string | undefined;
  const refusals: string[] = [];
  const summarize = (done: boolean) =>
    summarizeExecution(tasks, done, {
      stopped,
      skipReason: input.skipReason,
      refusal: refusals.join('; ') || undefined,
      dryRun: input.dryRun,
    });
  setHandler(runStatusQuery, (request) => ({
    summary: summarize(finished),
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

  let pageNumber = 0;
  const runPage = async (
    artifacts: Artifact[],
    operation: Operation,
    pagePolicy: PolicySnapshot = policy,
  ) => {
    const planned = planTasks(pagePolicy, artifacts, tasks.length + 1, operation, mapRepository);
    tasks.push(...planned);
    if (input.dryRun && operation === 'delete') {
      planDeletes(planned, artifacts);
      return;
    }
    for (const artifact of artifacts) {
      if (repositories.size < maxRepositoriesInSearchAttribute) repositories.add(artifact.repository);
    }
    upsertSearchAttributes([{ key: repositoryKey, value: [...repositories] }]);
    activePage = `${workflowInfo().workflowId}/page-${++pageNumber}`;
    const result = await executeChild(replicationBatch, {
      workflowId: activePage,
      args: [
        {
          policy: pagePolicy,
          artifacts,
          operation,
          tasks: planned,
          concurrency: artifactConcurrency,
          checkUpToDate: !input.artifacts,
          bytesPerSecond,
          dryRun: input.dryRun,
          ...(input.eventTime ? { eventTime: input.eventTime } : {}),
        },
      ],
    });
    activePage = undefined;
    tasks.splice(tasks.length - planned.length, planned.length, ...result.tasks);
    const summary = summarize(false);
    setCurrentDetails(`${summary.statusText}; ${summary.bytes} bytes ${input.dryRun ? 'to copy' : 'copied'}`);
    if (result.stopped || CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('stopped');
  };

  // A mirror deletes, per destination, what the source no longer has, unless the guardrails refuse.
  const prune = async () => {
    for (const destination of policy.destinations) {
      const plan = await planPrune({ policy, destinationRegistryId: destination.registryId });
      if (plan.refusal) refusals.push(`${destination.name}: ${plan.refusal}`);
      else if (plan.artifacts.length > 0)
        await runPage(plan.artifacts, 'delete', { ...policy, destinations: [destination] });
    }
  };

  try {
    await recordExecution({
      workflowId: workflowInfo().workflowId,
      policyId: policy.id,
      trigger: input.trigger,
    });
    if (input.skipReason) {
      finished = true;
      return summarize(true);
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
    if (!isCancellation(error)) throw error;
    stopped = true;
    for (const task of tasks) {
      if (task.status === 'Pending' || task.status === 'InProgress') task.status = 'Stopped';
    }
    // Rethrown, the cancellation ends the run as cancelled: Harbor's API and the Temporal UI show it stopped.
    throw error;
  }
  finished = true;
  return summarize(true);
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
