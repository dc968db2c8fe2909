import {
  ActivityCancellationType,
  type ActivityOptions,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type {
  Artifact,
  CopyBatchItem,
  InPlaceResult,
  Operation,
  ReplicationActivities,
  ReplicationTask,
  TaskResult,
} from '../contract/index.js';
import type { PolicySnapshot } from '../policies/index.js';
import { patches } from './patches.js';
import { rateLimitOf, waitOut, type RateLimitWait } from './rate-limit-wait.js';
import { isPermanent, type RetryBudget } from './retry-budget.js';
import { TaskRetries } from './task-retries.js';
import { linksOfLevel, treeLevels, type TreeLink } from './tree-links.js';

const copyBatchOptions = {
  startToCloseTimeout: '6 hours',
  // A worker killed mid-copy is noticed this fast, and the batch starts again on another worker.
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    // A rate limit comes back at once: the page waits for it with a timer, saying until when.
    nonRetryableErrorTypes: ['REGISTRY_RATE_LIMITED'],
  },
} satisfies ActivityOptions;
const { copyBatch: copyBatchReleased } = proxyActivities<ReplicationActivities>(copyBatchOptions);
// Within a retry budget, a few quick tries; past them the page tries the batch again itself.
const { copyBatch: copyBatchWithinBudget } = proxyActivities<ReplicationActivities>({
  ...copyBatchOptions,
  retry: { ...copyBatchOptions.retry, maximumAttempts: 3 },
});

const { checkInPlace } = proxyActivities<ReplicationActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // A check that cannot be made is left to the batches, which check for themselves.
  retry: {
    initialInterval: '1 second',
    maximumAttempts: 2,
    nonRetryableErrorTypes: ['REGISTRY_RATE_LIMITED'],
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
  /** Told when the page starts waiting for a registry's rate limit, and when it stops (undefined). */
  onWait?: ((wait: RateLimitWait | undefined) => void) | undefined;
  /** How long a task failing for a transient reason is tried again; none in runs started before budgets. */
  budget?: RetryBudget | undefined;
  /** The page's check made as it was listed (`listedCheck`), for a flat policy: no check of its own. */
  inPlace?: InPlaceResult | undefined;
}

function finish(task: ReplicationTask, status: ReplicationTask['status']): void {
  task.status = status;
  task.endTime = new Date().toISOString();
}

/**
 * Applies a task's result of round `attempt`; answers whether the task is to be tried again. A
 * rate limit is always tried again (after the wait): it never fails a task. Another transient
 * failure is while `retries` allows; a permanent one never.
 */
function applyResult(
  task: ReplicationTask,
  result: TaskResult | undefined,
  retries: TaskRetries,
  attempt: number,
): boolean {
  if (!result) {
    task.error = { code: 'UNKNOWN', message: 'the copy returned no result for this task' };
    finish(task, 'Failed');
    return false;
  }
  task.bytes += result.bytes;
  task.outcome = result.outcome;
  if (result.digest) task.digest = result.digest;
  // After what the task's link says of itself (a hub that kept its own digest, or failed).
  if (result.note) task.note = task.note ? `${task.note}; ${result.note}` : result.note;
  if (result.ok) {
    delete task.error;
    finish(task, 'Succeed');
    return false;
  }
  task.error = { code: result.error?.code ?? 'UNKNOWN', message: result.error?.message ?? 'failed' };
  if (result.error?.resumeAt) {
    retries.rateLimited(task);
    return true;
  }
  return failedOnce(task, result.error?.retryable === true, retries, attempt);
}

/** A task that failed round `attempt`: tried again if transient and `retries` allows, else Failed. */
function failedOnce(
  task: ReplicationTask,
  transient: boolean,
  retries: TaskRetries,
  attempt: number,
): boolean {
  if (transient && retries.allows(task, attempt)) return true;
  if (!transient && retries.budget)
    task.error = { ...task.error!, message: `${task.error!.message} (permanent: not retried)` };
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
 * Copies one link's tasks: their artifacts in batches of `batchSize`, each one activity that
 * copies several at once, `batchesInFlight` batches at a time. A task that failed for a transient
 * reason (its destination's 5xx, or within a retry budget its whole batch after the activity's
 * own retries) is tried again, with backoff, alone (the others are done), as `TaskRetries` says;
 * a permanent failure ends it at once. A rate limit is waited out with a timer until the registry
 * takes requests again, as often as it comes: it costs no attempt.
 */
async function copyLink(work: PageWork, link: TreeLink, listed?: InPlaceResult): Promise<void> {
  const byArtifact = new Map<number, ReplicationTask[]>();
  for (const task of link.tasks)
    byArtifact.set(task.artifactIndex, [...(byArtifact.get(task.artifactIndex) ?? []), task]);
  const byId = new Map(link.tasks.map((task) => [task.id, task]));
  const retries = new TaskRetries(work.budget);
  const copyBatch = work.budget ? copyBatchWithinBudget : copyBatchReleased;
  const seen = listed
    ? applyCheck(
        listed,
        work.artifacts.map((_, index) => index),
        byId,
        retries,
      )
    : work.checkUpToDate && checkable(work.policy, work.operation) && patched(patches.pageChecks)
      ? await checkLink(work, link, byArtifact, byId, retries)
      : undefined;
  let checked = seen !== undefined;
  let pending = link.tasks.filter((task) => task.status === 'Pending');
  for (let attempt = 1; pending.length > 0;) {
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
    const waits: RateLimitWait[] = [];
    await inLanes(batches, batchesInFlight, async (batch) => {
      const items: CopyBatchItem[] = batch.map((index) => ({
        artifact: link.artifactAt(index),
        targets: (byArtifact.get(index) ?? [])
          .filter((task) => task.status === 'InProgress')
          .map((task) => ({
            taskId: task.id,
            registryId: task.destinationRegistryId,
            repository: task.destinationRepository,
            // What the check saw holds for the first copy only: a retry asks again.
            ...(attempt === 1 && seen?.stale.has(task.id) ? { stale: true as const } : {}),
          })),
        ...(seen?.sourceDigests.has(index) ? { sourceDigest: seen.sourceDigests.get(index)! } : {}),
      }));
      const tasks = items.flatMap((item) => item.targets.map((target) => byId.get(target.taskId)!));
      try {
        const { results } = await copyBatch({
          sourceRegistryId: link.sourceRegistryId,
          operation: work.operation,
          override: work.policy.override,
          ...(work.policy.platforms?.length ? { platforms: work.policy.platforms } : {}),
          replicateReferrers: work.policy.replicate_referrers,
          ...(work.policy.copy_by_chunk ? { chunked: true } : {}),
          ...(work.bytesPerSecond ? { bytesPerSecond: work.bytesPerSecond } : {}),
          // Checked once: a retry is for what failed to copy.
          checkUpToDate: work.checkUpToDate && !checked,
          ...(work.dryRun ? { dryRun: true } : {}),
          ...(work.eventTime ? { eventTime: work.eventTime } : {}),
          items,
        });
        const byTask = new Map(results.map((result) => [result.taskId, result]));
        for (const task of tasks) {
          const result = byTask.get(task.id);
          if (!applyResult(task, result, retries, attempt)) continue;
          again.push(task);
          if (result?.error?.resumeAt)
            waits.push({ until: result.error.resumeAt, reason: result.error.message });
        }
      } catch (error) {
        if (isCancellation(error)) throw error;
        const wait = rateLimitOf(error);
        // Failed whole after the activity's own retries (a lost worker, the source unreachable):
        // within a budget its tasks are tried again unless that was permanent; before budgets, never.
        const transient = work.budget !== undefined && !isPermanent(error);
        for (const task of tasks) {
          task.error = failureOf(error);
          if (work.budget) task.outcome = 'failed';
          if (wait) {
            retries.rateLimited(task);
            again.push(task);
          } else if (failedOnce(task, transient, retries, attempt)) again.push(task);
        }
        if (wait) waits.push(wait);
      }
    });
    checked = true;
    // Waiting for their next attempt, they stay InProgress: they are being retried, not failed.
    pending = again;
    if (pending.length === 0) break;
    if (waits.length > 0) {
      // The latest a registry asked for: trying before it is wasted.
      const wait = waits.reduce((latest, next) => (next.until > latest.until ? next : latest));
      work.onWait?.(wait);
      await waitOut(wait);
      work.onWait?.(undefined);
      // A round that only waited for a rate limit costs no attempt.
      if (pending.some((task) => task.error?.code !== rateLimitedCode)) attempt++;
    } else {
      await sleep(retries.delayMs(attempt));
      attempt++;
    }
  }
}

const rateLimitedCode = 'REGISTRY_RATE_LIMITED';

/** Whether HEADs can tell a task is in place: a platform subset is a new index, and referrers may have come since. */
function checkable(policy: PolicySnapshot, operation: Operation): boolean {
  return operation === 'copy' && !policy.platforms?.length && !policy.replicate_referrers;
}

/**
 * Whether a page can be checked in place as it is listed (`checkIfLast`): a flat policy, one link
 * from the source to every destination, whose tasks HEADs can check.
 */
export function checkableAtListing(policy: PolicySnapshot, operation: Operation): boolean {
  return checkable(policy, operation) && !treeLevels(policy);
}

/**
 * A check made as the page was listed, its tasks named by their place in the page, with the
 * page's task ids (`tasks` as `planTasks` orders them).
 */
export function listedCheck(result: InPlaceResult, tasks: readonly ReplicationTask[]): InPlaceResult {
  const idAt = (position: number) => tasks[position]?.id;
  return {
    ...result,
    found: result.found.flatMap((found) => {
      const taskId = idAt(found.taskId);
      return taskId === undefined ? [] : [{ ...found, taskId }];
    }),
    stale: result.stale.flatMap((position) => idAt(position) ?? []),
  };
}

/** What a link's check saw of the tasks still to copy. */
interface LinkCheck {
  /** The source's digest, by artifact index. */
  sourceDigests: Map<number, string>;
  /** Tasks whose destination answered without the source's digest under the tag. */
  stale: Set<number>;
}

/**
 * Checks a link's pending tasks in one activity: those in place end Succeed (skipped, or kept
 * when another digest is there and override is off); for the others it answers what it saw.
 * Undefined when the check could not be made (the activity failed): the batches check then.
 */
async function checkLink(
  work: PageWork,
  link: TreeLink,
  byArtifact: ReadonlyMap<number, ReplicationTask[]>,
  byId: ReadonlyMap<number, ReplicationTask>,
  retries: TaskRetries,
): Promise<LinkCheck | undefined> {
  const checks = [...byArtifact].flatMap(([index, tasks]) => {
    const targets = tasks
      .filter((task) => task.status === 'Pending')
      .map((task) => ({
        taskId: task.id,
        registryId: task.destinationRegistryId,
        repository: task.destinationRepository,
      }));
    return targets.length > 0 ? [{ index, artifact: link.artifactAt(index), targets }] : [];
  });
  if (checks.length === 0) return { sourceDigests: new Map(), stale: new Set() };
  let result: InPlaceResult;
  try {
    result = await checkInPlace({
      sourceRegistryId: link.sourceRegistryId,
      checks: checks.map(({ artifact, targets }) => ({ artifact, targets })),
      override: work.policy.override,
      ...(work.dryRun ? { dryRun: true } : {}),
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    return undefined;
  }
  return applyCheck(
    result,
    checks.map(({ index }) => index),
    byId,
    retries,
  );
}

/**
 * Applies a check's result: its tasks in place end Succeed (skipped, or kept); what it saw of the
 * others is answered. `indexes` are the artifacts of the check's checks, in order.
 */
function applyCheck(
  result: InPlaceResult,
  indexes: readonly number[],
  byId: ReadonlyMap<number, ReplicationTask>,
  retries: TaskRetries,
): LinkCheck {
  const seen: LinkCheck = { sourceDigests: new Map(), stale: new Set() };
  const now = new Date().toISOString();
  for (const { taskId, outcome, digest } of result.found) {
    const task = byId.get(taskId);
    if (task?.status !== 'Pending') continue;
    Object.assign(task, { attempts: 1, startTime: now });
    applyResult(task, { taskId, ok: true, outcome, digest, bytes: 0 }, retries, 1);
  }
  indexes.forEach((index, at) => {
    const digest = result.digests[result.sourceDigestOf[at] ?? -1];
    if (digest) seen.sourceDigests.set(index, digest);
  });
  for (const taskId of result.stale) seen.stale.add(taskId);
  return seen;
}

/**
 * Copies (or deletes) a page's pending tasks. A flat policy is one link, from the source to
 * every destination. A tree is copied level by level, a link per parent: a registry is copied
 * from its parent once the parent holds the artifact, so each link carries each blob once. When
 * a hub does not get an artifact, its children get it from the hub's own parent or fail saying
 * why, as the hub's `on_hub_failure` says. A dry run plans a tree the same way, link by link.
 * On a stop, every unfinished task ends Stopped.
 */
export async function copyPage(work: PageWork): Promise<void> {
  if (work.dryRun && work.operation === 'delete') return planDeletes(work);
  try {
    const tree = work.operation === 'copy' ? treeLevels(work.policy) : undefined;
    // A plan goes link by link as the run would; plans started before planned all from the source.
    const levels = tree && (!work.dryRun || patched(patches.treePlansPerLink)) ? tree : undefined;
    if (!levels) {
      await copyLink(
        work,
        {
          sourceRegistryId: work.policy.src_registry_id,
          tasks: work.tasks,
          artifactAt: (index) => work.artifacts[index]!,
        },
        work.inPlace,
      );
      return;
    }
    for (const level of levels) {
      const { links, unfed } = linksOfLevel(work.policy, level, work.artifacts, work.tasks);
      for (const { task, error } of unfed) {
        task.error = error;
        finish(task, 'Failed');
      }
      // The links of a level copy at once: they share the page's bandwidth cap.
      const share = work.bytesPerSecond ? { bytesPerSecond: work.bytesPerSecond / links.length } : {};
      await Promise.all(links.map((link) => copyLink({ ...work, ...share }, link)));
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
