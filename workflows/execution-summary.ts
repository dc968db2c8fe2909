import type { ExecutionStatus, ExecutionSummary, TaskCounts, TaskTally } from '../contract/index.js';
import { budgetSpentOutcome } from './retry-budget.js';
import { tallyTotal } from './task-tally.js';

/** Harbor's execution counts; a pending task counts as in progress, as Harbor shows it. */
export function countTasks(tally: TaskTally): TaskCounts {
  const { Pending = 0, InProgress = 0, Succeed = 0, Failed = 0, Stopped = 0 } = tally.statuses;
  return {
    total: tallyTotal(tally),
    failed: Failed,
    succeed: Succeed,
    in_progress: Pending + InProgress,
    stopped: Stopped,
  };
}

export interface SummaryOptions {
  stopped?: boolean;
  /** Why the run was skipped (single active replication): it ends stopped. */
  skipReason?: string | undefined;
  /** Why a guardrail refused part of the run (a mirror's prune): the run fails with it. */
  refusal?: string | undefined;
  /** A plan: the text says what a real run would do. */
  dryRun?: boolean;
  /** A registry's rate limit the run is waiting out: the text says until when. */
  waiting?: { until: string; reason: string } | undefined;
}

/** Rolls a run's tasks up into its status: any failure fails the run, stopped wins over both. */
export function summarizeExecution(
  tally: TaskTally,
  finished: boolean,
  options: SummaryOptions = {},
): ExecutionSummary {
  const counts = countTasks(tally);
  const { bytes } = tally;
  const plan = options.dryRun ? { dryRun: true } : {};
  let status: ExecutionStatus;
  if (options.stopped) status = 'Stopped';
  else if (!finished || counts.in_progress > 0) status = 'InProgress';
  else status = counts.failed > 0 ? 'Failed' : 'Succeed';
  if (options.skipReason)
    return { status: 'Stopped', statusText: `skipped: ${options.skipReason}`, counts, bytes, ...plan };
  let statusText = describeCounts(status, counts, tally.outcomes[budgetSpentOutcome] ?? 0);
  if (options.waiting && status === 'InProgress')
    statusText += `; rate limited, waiting until ${options.waiting.until} (${options.waiting.reason})`;
  if (options.dryRun && status !== 'InProgress')
    statusText = `dry run: ${describePlan(tally)}; ${statusText}`;
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

/** "8/10 succeeded, 2 failed (1 permanent, 1 after its retry budget)". */
function describeCounts(status: ExecutionStatus, counts: TaskCounts, budgetSpent: number): string {
  if (counts.total === 0) return status === 'InProgress' ? 'enumerating artifacts' : 'nothing to replicate';
  const parts = [`${counts.succeed}/${counts.total} succeeded`];
  // Only runs with retry budgets mark the tasks that spent theirs; the others fail as before.
  const why = budgetSpent
    ? ` (${counts.failed - budgetSpent} permanent, ${budgetSpent} after its retry budget)`
    : '';
  if (counts.failed) parts.push(`${counts.failed} failed${why}`);
  if (counts.stopped) parts.push(`${counts.stopped} stopped`);
  if (counts.in_progress) parts.push(`${counts.in_progress} in progress`);
  return parts.join(', ');
}

/** "3 to copy (12345 bytes), 5 in place, 1 to delete": what the real run would do. */
export function describePlan(tally: TaskTally): string {
  const count = (outcome: string) => tally.outcomes[outcome] ?? 0;
  return (
    `${count('would_copy')} to copy (${tally.bytes} bytes), ` +
    `${count('skipped') + count('kept')} in place, ${count('would_delete')} to delete`
  );
}
