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
   * A dry run of a tree plans link by link, as the run would copy: each registry against its
   * parent as the parent would be after the run, its task naming the hub. Plans started before
   * planned every registry of the tree against the source, in one link.
   */
  treePlansPerLink: 'tree-plans-per-link',
  /**
   * A run that ended (succeeded or failed; not a plan, not stopped) and a drift audit that found
   * a site's drift begin or end queue notifications once their result is kept, delivered by a
   * `deliverNotifications` child that outlives them (ParentClosePolicy ABANDON).
   */
  notifications: 'notifications',
  /**
   * A mirror's prune plan is kept in the store (activity `planPrunePages`) and deleted page by
   * page, each page a child workflow that reads its own deletions (`readPrunePage`): no history
   * event holds more than one page, however many tags a prune deletes. Runs started before get
   * the whole plan in one activity result (`planPrune`).
   */
  pagedPrunePlans: 'paged-prune-plans',
  /**
   * A page checks what is already in place for all its artifacts in one activity (`checkInPlace`)
   * before its copy batches, which then read each source by the digest the check saw; a run lists
   * its next page while it waits for a page to finish. Runs started before check per batch.
   */
  pageChecks: 'page-checks',
  /**
   * A run whose listing fits in one page has it checked in place by the listing activity itself
   * (`enumerateArtifacts` with `checkIfLast`), not by a `checkInPlace` after it: one activity and
   * one workflow task fewer, which is most of a run that finds everything in place. Runs started
   * before schedule the check on its own.
   */
  listedChecks: 'listed-checks',
  /**
   * A run opens with one local activity (`openRun`: its execution and its settings) and closes
   * with one (`closeRun`: its own page's tasks, its result, whether its end is to be told), not
   * five; notifications are prepared only when a policy wants them. About 7 ms each on a run of a
   * few hundred. Runs started before keep `runSettings`, `recordExecution`, `recordPageTasks`,
   * `recordRunResult` and `prepareNotifications`.
   */
  runBookends: 'run-bookends',
} as const;
