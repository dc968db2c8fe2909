import type { ExecutionStatus, ExecutionSummary, ReplicationTask, TaskCounts } from './replication-model.js';

/** Harbor's execution counts; a pending task counts as in progress, as Harbor shows it. */
export function countTasks(tasks: readonly Pick<ReplicationTask, 'status'>[]): TaskCounts {
  const counts: TaskCounts = { total: tasks.length, failed: 0, succeed: 0, in_progress: 0, stopped: 0 };
  for (const { status } of tasks) {
    if (status === 'Succeed') counts.succeed++;
    else if (status === 'Failed') counts.failed++;
    else if (status === 'Stopped') counts.stopped++;
    else counts.in_progress++;
  }
  return counts;
}

/** Rolls the tasks of a run up into its status: any failure fails the run, stopped wins over both. */
export function summarizeExecution(
  tasks: readonly Pick<ReplicationTask, 'status' | 'bytes'>[],
  finished: boolean,
  stopped = false,
  skipReason?: string,
  /** Why a guardrail refused part of the run (a mirror's prune): the run fails with it. */
  refusal?: string,
): ExecutionSummary {
  const counts = countTasks(tasks);
  const bytes = tasks.reduce((sum, task) => sum + task.bytes, 0);
  let status: ExecutionStatus;
  if (stopped) status = 'Stopped';
  else if (!finished || counts.in_progress > 0) status = 'InProgress';
  else status = counts.failed > 0 ? 'Failed' : 'Succeed';
  if (skipReason) return { status: 'Stopped', statusText: `skipped: ${skipReason}`, counts, bytes };
  if (refusal && status !== 'InProgress' && status !== 'Stopped') {
    return {
      status: 'Failed',
      statusText: `prune refused: ${refusal}; ${describeCounts(status, counts)}`,
      counts,
      bytes,
    };
  }
  return { status, statusText: describeCounts(status, counts), counts, bytes };
}

function describeCounts(status: ExecutionStatus, counts: TaskCounts): string {
  if (counts.total === 0) return status === 'InProgress' ? 'enumerating artifacts' : 'nothing to replicate';
  const parts = [`${counts.succeed}/${counts.total} succeeded`];
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.stopped) parts.push(`${counts.stopped} stopped`);
  if (counts.in_progress) parts.push(`${counts.in_progress} in progress`);
  return parts.join(', ');
}
