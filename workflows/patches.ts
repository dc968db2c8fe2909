// Every change to workflow code that alters the commands a run issues is made behind `patched()`
// with an id from here, so runs started by an earlier release replay (test/unit/workflow-replay
// .test.ts replays the committed histories of every release against today's code). An id is
// never reused; `deprecatePatch` and removal come once no run of the release before it can be open.
export const patches = {
  /** Pages keep their tasks, and runs their result, in the store when they end (closed runs are read from there). */
  closedRunsInStore: 'closed-runs-in-store',
  /**
   * A run whose tasks failed ends as a failed workflow (RUN_FAILED, its summary in the failure's
   * details), not a completed one: Temporal's UI shows it failed, and an event delivered again
   * after a failed run replicates again (event runs reuse an id only after a failure).
   */
  failedRunsFail: 'failed-runs-fail',
  /**
   * Pages copy their artifacts in batches (one activity copies up to 50, several at once) instead
   * of one activity each; a run of one page copies it itself; larger runs copy two pages at once.
   * Runs started before replay the whole run as it was (workflows/legacy/).
   */
  batchedPages: 'batched-pages',
  /**
   * A run reads its retry budget from the worker (local activity `runSettings`) and tries again
   * what fails for a transient reason (a task, a whole batch, a whole page, its own activities)
   * until the budget is spent. Runs started before keep their fixed attempts.
   */
  retryBudgets: 'retry-budgets',
  /**
   * A page checks what is already in place for all its artifacts in one activity (`checkInPlace`)
   * before its copy batches, which then read each source by the digest the check saw; a run lists
   * its next page while it waits for a page to finish. Runs started before check per batch.
   */
  pageChecks: 'page-checks',
} as const;
