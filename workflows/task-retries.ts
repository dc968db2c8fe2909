import type { ReplicationTask } from '../contract/index.js';
import { destinationRetry, retryDelayMs } from './destination-retry.js';
import { budgetDelayMs, budgetSpent, budgetSpentOutcome, type RetryBudget } from './retry-budget.js';

/**
 * Whether a page tries a task again after a transient failure, and how long it waits first. With
 * the run's retry budget, a task is tried again until it has been failing for that long (a rate
 * limit in between starts the count again: waiting for one is not failing), then it ends saying
 * its budget was spent. Runs started before budgets (no budget in their input) keep what they
 * were started with: `destinationRetry.maxAttempts` rounds.
 */
export class TaskRetries {
  /** When each task's current run of failures began. */
  private readonly failingSince = new Map<number, number>();

  constructor(readonly budget: RetryBudget | undefined) {}

  /** Whether `task`, failed transiently in round `attempt`, is tried again; if not, it says why. */
  allows(task: ReplicationTask, attempt: number): boolean {
    if (!this.budget) return attempt < destinationRetry.maxAttempts;
    const now = Date.now();
    const since = this.failingSince.get(task.id) ?? now;
    this.failingSince.set(task.id, since);
    if (now - since < this.budget.ms) return true;
    task.error = {
      ...task.error!,
      message: `${task.error!.message} (${budgetSpent(this.budget, task.attempts)})`,
    };
    task.outcome = budgetSpentOutcome;
    return false;
  }

  /** The task waits for a registry's rate limit: it is not failing. */
  rateLimited(task: ReplicationTask): void {
    this.failingSince.delete(task.id);
  }

  /** The wait before round `attempt + 1`. */
  delayMs(attempt: number): number {
    return this.budget ? budgetDelayMs(attempt) : retryDelayMs(attempt);
  }
}
