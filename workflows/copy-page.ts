import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type {
  Artifact,
  CopyBatchItem,
  Operation,
  ReplicationActivities,
  ReplicationTask,
  TaskResult,
} from '../contract/index.js';
import type { PolicySnapshot } from '../policies/index.js';
import {
  budgetDelayMs,
  budgetSpent,
  budgetSpentOutcome,
  isPermanent,
  type RetryBudget,
} from './retry-budget.js';

const { copyBatch } = proxyActivities<ReplicationActivities>({
  startToCloseTimeout: '6 hours',
  // A worker killed mid-copy is noticed this fast, and the batch starts again on another worker.
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // A few quick tries; past them the page tries the batch again itself, within the run's budget.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 3,
  },
});

/** Artifacts per copy activity: few activities per page, and a stop loses at most one batch's results. */
export const batchSize = 50;
/** Copy activities of one page at once (each copies several artifacts at once). */
export const batchesInFlight = 2;

export interface PageWork {
  policy: PolicySnapshot;
  artifacts: readonly Artifact[];
  operation: Operation;
  /** The page's tasks, updated in place so a status query sees progress. */
  tasks: ReplicationTask[];
  /** Look for what is in place first (enumerated runs); a fresh push need not. */
  checkUpToDate: boolean;
  dryRun: boolean;
  eventTime?: string | undefined;
  /** Each batch's share of the run's bandwidth cap, bytes per second. */
  bytesPerSecond?: number | undefined;
  /** How long a task failing for a transient reason is tried again. */
  budget: RetryBudget;
}

function finish(task: ReplicationTask, status: ReplicationTask['status']): void {
  task.status = status;
  task.endTime = new Date().toISOString();
}

/**
 * Applies a task's result; answers whether the task is to be tried again: a transient failure is,
 * while `retry` says its budget lasts; a permanent one never.
 */
function applyResult(
  task: ReplicationTask,
  result: TaskResult | undefined,
  retry: (task: ReplicationTask) => boolean,
): boolean {
  if (!result) {
    task.error = { code: 'UNKNOWN', message: 'the copy returned no result for this task' };
    finish(task, 'Failed');
    return false;
  }
  task.bytes += result.bytes;
  task.outcome = result.outcome;
  if (result.digest) task.digest = result.digest;
  if (result.note) task.note = result.note;
  if (result.ok) {
    delete task.error;
    finish(task, 'Succeed');
    return false;
  }
  task.error = { code: result.error?.code ?? 'UNKNOWN', message: result.error?.message ?? 'failed' };
  return failedOnce(task, result.error?.retryable === true, retry);
}

/** A task that failed this attempt: tried again if transient and within budget, else Failed saying why. */
function failedOnce(
  task: ReplicationTask,
  transient: boolean,
  retry: (task: ReplicationTask) => boolean,
): boolean {
  if (transient && retry(task)) return true;
  if (!transient) task.error = { ...task.error!, message: `${task.error!.message} (permanent: not retried)` };
  finish(task, 'Failed');
  return false;
}

function failureOf(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'UNKNOWN', message: cause.message };
  return { code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

/** A dry run's deletes: the prune plan already holds each tag's digest at the destination. */
function planDeletes(work: PageWork): void {
  const now = new Date().toISOString();
  for (const task of work.tasks) {
    if (task.status !== 'Pending') continue;
    const digest = work.artifacts[task.artifactIndex]?.digest;
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

/** Runs `work` over `items`, at most `lanes` at a time, in order. */
async function inLanes<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

/**
 * Copies (or deletes) a page's pending tasks: its artifacts in batches of `batchSize`, each one
 * activity that copies several at once, `batchesInFlight` batches at a time. A task that failed
 * for a transient reason (its destination's 5xx, or its whole batch after the activity's own
 * retries) is tried again, with backoff, alone (the others are done), until it has been failing
 * for the page's retry budget; then it ends Failed saying so. A permanent failure ends it at
 * once. On a stop, every unfinished task ends Stopped.
 */
export async function copyPage(work: PageWork): Promise<void> {
  if (work.dryRun && work.operation === 'delete') return planDeletes(work);
  const byArtifact = new Map<number, ReplicationTask[]>();
  for (const task of work.tasks)
    byArtifact.set(task.artifactIndex, [...(byArtifact.get(task.artifactIndex) ?? []), task]);
  const byId = new Map(work.tasks.map((task) => [task.id, task]));
  // When each task's current run of failures began: its budget counts from there.
  const failingSince = new Map<number, number>();
  const retry = (task: ReplicationTask) => {
    const now = Date.now();
    const since = failingSince.get(task.id) ?? now;
    failingSince.set(task.id, since);
    if (now - since < work.budget.ms) return true;
    task.error = {
      ...task.error!,
      message: `${task.error!.message} (${budgetSpent(work.budget, task.attempts)})`,
    };
    task.outcome = budgetSpentOutcome;
    return false;
  };
  try {
    let pending = work.tasks.filter((task) => task.status === 'Pending');
    for (let attempt = 1; pending.length > 0; attempt++) {
      for (const task of pending) {
        task.status = 'InProgress';
        task.attempts = attempt;
        task.startTime ??= new Date().toISOString();
      }
      const indexes = [...new Set(pending.map((task) => task.artifactIndex))];
      const batches = Array.from({ length: Math.ceil(indexes.length / batchSize) }, (_, index) =>
        indexes.slice(index * batchSize, (index + 1) * batchSize),
      );
      const again: ReplicationTask[] = [];
      await inLanes(batches, batchesInFlight, async (batch) => {
        const items: CopyBatchItem[] = batch.map((index) => ({
          artifact: work.artifacts[index]!,
          targets: (byArtifact.get(index) ?? [])
            .filter((task) => task.status === 'InProgress')
            .map((task) => ({
              taskId: task.id,
              registryId: task.destinationRegistryId,
              repository: task.destinationRepository,
            })),
        }));
        const tasks = items.flatMap((item) => item.targets.map((target) => byId.get(target.taskId)!));
        try {
          const { results } = await copyBatch({
            sourceRegistryId: work.policy.src_registry_id,
            operation: work.operation,
            override: work.policy.override,
            ...(work.policy.platforms?.length ? { platforms: work.policy.platforms } : {}),
            replicateReferrers: work.policy.replicate_referrers,
            ...(work.policy.copy_by_chunk ? { chunked: true } : {}),
            ...(work.bytesPerSecond ? { bytesPerSecond: work.bytesPerSecond } : {}),
            // Checked once: a retry is for what failed to copy.
            checkUpToDate: work.checkUpToDate && attempt === 1,
            ...(work.dryRun ? { dryRun: true } : {}),
            ...(work.eventTime ? { eventTime: work.eventTime } : {}),
            items,
          });
          const byTask = new Map(results.map((result) => [result.taskId, result]));
          for (const task of tasks) if (applyResult(task, byTask.get(task.id), retry)) again.push(task);
        } catch (error) {
          if (isCancellation(error)) throw error;
          // The batch failed whole after the activity's own retries (a lost worker, the source
          // registry unknown): its tasks are tried again within their budget unless that was permanent.
          const transient = !isPermanent(error);
          for (const task of tasks) {
            task.error = failureOf(error);
            task.outcome = 'failed';
            if (failedOnce(task, transient, retry)) again.push(task);
          }
        }
      });
      // Waiting for their next attempt, they stay InProgress: they are being retried, not failed.
      pending = again;
      if (pending.length > 0) await sleep(budgetDelayMs(attempt));
    }
  } catch (error) {
    if (isCancellation(error)) {
      for (const task of work.tasks) {
        if (task.status === 'Pending' || task.status === 'InProgress') finish(task, 'Stopped');
      }
    }
    throw error;
  }
}
