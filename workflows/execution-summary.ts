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

export interface SummaryOptions {
  stopped?: boolean;
  /** Why the run was skipped (single active replication): it ends stopped. */
  skipReason?: string | undefined;
  /** Why a guardrail refused part of the run (a mirror's prune): the run fails with it. */
  refusal?: string | undefined;
  /** A plan: the text says what a real run would do. */
  dryRun?: boolean;
}

type SummarizedTask = Pick<ReplicationTask, 'status' | 'bytes'> & Partial<Pick<ReplicationTask, 'outcome'>>;

/** Rolls the tasks of a run up into its status: any failure fails the run, stopped wins over both. */
export function summarizeExecution(
  tasks: readonly SummarizedTask[],
  finished: boolean,
  options: SummaryOptions = {},
): ExecutionSummary {
  const counts = countTasks(tasks);
  const bytes = tasks.reduce((sum, task) => sum + task.bytes, 0);
  const plan = options.dryRun ? { dryRun: true } : {};
  let status: ExecutionStatus;
  if (options.stopped) status = 'Stopped';
  else if (!finished || counts.in_progress > 0) status = 'InProgress';
  else status = counts.failed > 0 ? 'Failed' : 'Succeed';
  if (options.skipReason)
    return { status: 'Stopped', statusText: `skipped: ${options.skipReason}`, counts, bytes, ...plan };
  let statusText = describeCounts(status, counts);
  if (options.dryRun && status !== 'InProgress')
    statusText = `dry run: ${describePlan(tasks)}; ${statusText}`;
  if (options.refusal && status !== 'InProgress' && status !== 'Stopped') {
    return {
      status: 'Failed',
      statusText: `prune refused: ${options.refusal}; ${statusText}`,
      counts,
      bytes,
      ...plan,
    };
  }
  return { status, statusText, counts, bytes, ...plan };
}

function describeCounts(status: ExecutionStatus, counts: TaskCounts): string {
  if (counts.total === 0) return status === 'InProgress' ? 'enumerating artifacts' : 'nothing to replicate';
  const parts = [`${counts.succeed}/${counts.total} succeeded`];
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.stopped) parts.push(`${counts.stopped} stopped`);
  if (counts.in_progress) parts.push(`${counts.in_progress} in progress`);
  return parts.join(', ');
}

/** "3 to copy (12345 bytes), 5 in place, 1 to delete": what the real run would do. */
export function describePlan(tasks: readonly SummarizedTask[]): string {
  let copy = 0;
  let inPlace = 0;
  let remove = 0;
  let bytes = 0;
  for (const task of tasks) {
    if (task.outcome === 'would_copy') {
      copy++;
      bytes += task.bytes;
    } else if (task.outcome === 'would_delete') remove++;
    else if (task.outcome === 'skipped' || task.outcome === 'kept') inPlace++;
  }
  return `${copy} to copy (${bytes} bytes), ${inPlace} in place, ${remove} to delete`;
}
