// Frozen: the run as released before pages were copied in batches (patches.batchedPages). Runs
// started by those releases replay here, so what it does never changes; it goes once none can be open.
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
  DestinationResult,
  Operation,
  ReplicationActivities,
  ReplicationTask,
} from '../../contract/index.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { destinationRetry, retryDelayMs } from '../destination-retry.js';

const { findUpToDate } = proxyActivities<ReplicationActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '60 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

const { replicateArtifact } = proxyActivities<ReplicationActivities>({
  startToCloseTimeout: '2 hours',
  // A worker killed mid-blob is noticed this fast, and the copy resumes on another worker.
  heartbeatTimeout: '20 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
  },
});

export interface ReplicateArtifactsInput {
  policy: PolicySnapshot;
  artifacts: Artifact[];
  operation: Operation;
  /** Tasks planned for these artifacts; updated in place so a status query sees progress. */
  tasks: ReplicationTask[];
  concurrency: number;
  bytesPerSecond?: number;
  /** Look for what is already in place first: worth it for enumerated runs, not for a fresh push. */
  checkUpToDate?: boolean;
  /** Plan only: the copy activity reports what it would do and writes nothing. */
  dryRun?: boolean;
  eventTime?: string;
}

function finish(task: ReplicationTask, status: ReplicationTask['status']): void {
  task.status = status;
  task.endTime = new Date().toISOString();
}

function applyResult(task: ReplicationTask, result: DestinationResult, retriesLeft: boolean): boolean {
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
  if (result.error?.retryable && retriesLeft) return true;
  finish(task, 'Failed');
  return false;
}

function failureOf(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'UNKNOWN', message: cause.message };
  return { code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Copies (or deletes) one artifact at all its destinations with one activity, so each blob is read
 * once; then retries only the destinations that failed with a retryable error, with backoff.
 */
async function replicateOne(input: ReplicateArtifactsInput, artifact: Artifact, tasks: ReplicationTask[]) {
  let pending = tasks.filter((task) => task.status === 'Pending');
  for (let attempt = 1; pending.length > 0; attempt++) {
    for (const task of pending) {
      task.status = 'InProgress';
      task.attempts = attempt;
      task.startTime ??= new Date().toISOString();
    }
    const retriesLeft = attempt < destinationRetry.maxAttempts;
    try {
      const result = await replicateArtifact({
        sourceRegistryId: input.policy.src_registry_id,
        artifact,
        destinations: pending.map((task) => ({
          registryId: task.destinationRegistryId,
          repository: task.destinationRepository,
        })),
        operation: input.operation,
        override: input.policy.override,
        platforms: input.policy.platforms,
        replicateReferrers: input.policy.replicate_referrers,
        bytesPerSecond: input.bytesPerSecond,
        ...(input.dryRun ? { dryRun: true } : {}),
        ...(input.eventTime ? { eventTime: input.eventTime } : {}),
      });
      pending = pending.filter((task, index) => {
        const destination = result.destinations[index];
        if (!destination) {
          task.error = { code: 'UNKNOWN', message: 'no result for this destination' };
          finish(task, 'Failed');
          return false;
        }
        return applyResult(task, destination, retriesLeft);
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The activity itself failed after its own retries (source unreachable, or permanent).
      for (const task of pending) {
        task.error = failureOf(error);
        finish(task, 'Failed');
      }
      pending = [];
    }
    if (pending.length > 0) await sleep(retryDelayMs(attempt));
  }
}

/**
 * Marks the tasks already done at their destination (same digest, or another digest kept with
 * override off) with one HEAD-only activity for the whole page. Not for platform-filtered copies
 * (their digest is computed by the copy) nor with referrers (new ones may wait behind the same image).
 */
async function skipUpToDate(input: ReplicateArtifactsInput, byArtifact: Map<number, ReplicationTask[]>) {
  if (!input.checkUpToDate || input.operation !== 'copy') return;
  if (input.policy.platforms?.length || input.policy.replicate_referrers) return;
  const checks = [...byArtifact].flatMap(([index, tasks]) => {
    const pending = tasks.filter((task) => task.status === 'Pending');
    if (pending.length === 0) return [];
    const targets = pending.map((task) => ({
      taskId: task.id,
      registryId: task.destinationRegistryId,
      repository: task.destinationRepository,
    }));
    return [{ artifact: input.artifacts[index]!, targets }];
  });
  if (checks.length === 0) return;
  const done = await findUpToDate({
    sourceRegistryId: input.policy.src_registry_id,
    checks,
    override: input.policy.override,
    ...(input.dryRun ? { dryRun: true } : {}),
  });
  const byId = new Map(input.tasks.map((task) => [task.id, task]));
  const now = new Date().toISOString();
  for (const { taskId, outcome, digest } of done) {
    const task = byId.get(taskId);
    if (!task) continue;
    Object.assign(task, { status: 'Succeed', outcome, digest, attempts: 1, startTime: now, endTime: now });
  }
}

/** Runs the artifacts with bounded concurrency; on cancellation marks what is unfinished `Stopped`. */
export async function replicateArtifacts(input: ReplicateArtifactsInput): Promise<void> {
  const byArtifact = new Map<number, ReplicationTask[]>();
  for (const task of input.tasks) {
    const list = byArtifact.get(task.artifactIndex) ?? [];
    list.push(task);
    byArtifact.set(task.artifactIndex, list);
  }
  let next = 0;
  const lane = async () => {
    while (next < input.artifacts.length) {
      const index = next++;
      await replicateOne(input, input.artifacts[index]!, byArtifact.get(index) ?? []);
    }
  };
  try {
    await skipUpToDate(input, byArtifact);
    await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, lane));
  } catch (error) {
    if (isCancellation(error)) {
      for (const task of input.tasks) {
        if (task.status === 'Pending' || task.status === 'InProgress') finish(task, 'Stopped');
      }
    }
    throw error;
  }
}
