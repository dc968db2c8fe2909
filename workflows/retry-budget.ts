import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  type RetryPolicy,
} from '@temporalio/workflow';
import { defaultRunSettings } from '../contract/index.js';

/**
 * How long a run keeps trying what failed for a transient reason (a registry's 5xx, a network
 * error, a stall, the store unavailable) before it gives up: the worker's
 * REGATTA_RETRY_BUDGET_MINUTES, read once per run (activity `runSettings`). A permanent failure
 * (refused credentials, a full disk, a bad manifest) is never retried.
 */
export interface RetryBudget {
  ms: number;
}

/** Used until the run has read the worker's setting, and by runs whose worker has none. */
export const defaultRetryBudget: RetryBudget = { ms: defaultRunSettings.retryBudgetMs };

/** The outcome of a task that failed for a transient reason until its retry budget was spent. */
export const budgetSpentOutcome = 'retry_budget_spent';

const activityFirstDelayMs = 1_000;
const maxDelayMs = 60_000;

/** Attempts of an activity whose waits (1 s doubling to 1 min) fit within `budget`: at least 2. */
export function attemptsWithin(budget: RetryBudget): number {
  let waited = 0;
  let delay = activityFirstDelayMs;
  let attempts = 1;
  while (waited + delay <= budget.ms) {
    waited += delay;
    attempts++;
    delay = Math.min(delay * 2, maxDelayMs);
  }
  return Math.max(attempts, 2);
}

/** Temporal's retry of an activity that fails whole, for about `budget` of waiting. */
export function activityRetry(budget: RetryBudget): RetryPolicy {
  return {
    initialInterval: activityFirstDelayMs,
    backoffCoefficient: 2,
    maximumInterval: maxDelayMs,
    maximumAttempts: attemptsWithin(budget),
  };
}

/** How a run's own activities were retried before retry budgets: runs started then keep it. */
const releasedRetry: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '30 seconds',
  maximumAttempts: 10,
};

/** Temporal's retry of a run's own activities (listings, store writes): about its budget, or as released without one. */
export function runActivityRetry(budget: RetryBudget | undefined): RetryPolicy {
  return budget ? activityRetry(budget) : releasedRetry;
}

/** The wait before a failed task's or batch's retry number `attempt` (1 = the first): 2 s doubling to 1 min. */
export function budgetDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** (attempt - 1), maxDelayMs);
}

/** Whether a failure that reached the workflow is permanent: typed non-retryable where it was born. */
export function isPermanent(error: unknown): boolean {
  let cause = error;
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) cause = cause.cause;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/** "retry budget of 30 min spent after 12 attempts": said of what failed for good although transient. */
export function budgetSpent(budget: RetryBudget, attempts?: number): string {
  const minutes = budget.ms / 60_000;
  const shown = minutes >= 1 ? `${Math.round(minutes * 10) / 10} min` : `${Math.round(budget.ms / 1000)} s`;
  const tries = attempts === undefined ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  return `retry budget of ${shown} spent${tries}`;
}

/** Why a failure that reached the workflow ended what it ended: permanent, or its budget spent. */
export function whyFailed(error: unknown, budget: RetryBudget): string {
  return isPermanent(error) ? 'permanent' : budgetSpent(budget);
}
