import type {
  CloseRunInput,
  ClosedRun,
  OpenedRun,
  RecordExecutionInput,
  RecordPageTasksInput,
  RecordRunResultInput,
  RunSettings,
} from '../contract/index.js';
import type { Store } from '../store/index.js';

/**
 * Gives the run its Harbor execution id. The store is idempotent on the workflow id, so the API
 * (which records manual runs as it starts them) and a retried activity agree on one id.
 */
export async function recordExecution(
  store: Store,
  input: RecordExecutionInput,
): Promise<{ executionId: number }> {
  const execution = await store.executions.create(input);
  return { executionId: execution.id };
}

/** Keeps a page's tasks as it ended: the tasks of a closed run are read from the store. */
export async function recordPageTasks(store: Store, input: RecordPageTasksInput): Promise<void> {
  await store.runPages.record(
    input.runWorkflowId,
    { page: input.page, firstTaskId: input.firstTaskId, taskCount: input.tasks.length },
    input.tasks,
  );
}

/** Closed executions kept per policy unless the worker says otherwise: Harbor's own count. */
export const defaultExecutionsKept = 50;

/**
 * Records the ends that a policy's runs older than its `kept` newest closed executions could not
 * record (terminated, timed out, forgotten by Temporal) and nobody read: the service's pass
 * (service/unread-ends.ts), given by the worker's composition.
 */
export type RecordUnreadEnds = (policyId: number, kept: number) => Promise<void>;

/**
 * Keeps how a run ended: a closed run's counts and text are read from the store. Its prune plans,
 * read by its pages only, go; so do its policy's closed executions past the newest `executionsKept`
 * (0 keeps them all), so a policy run every minute does not grow the store without end.
 */
export async function recordRunResult(
  store: Store,
  input: RecordRunResultInput,
  executionsKept: number,
  recordUnreadEnds?: RecordUnreadEnds,
): Promise<void> {
  const execution = await store.executions.recordResult(
    input.workflowId,
    input.summary,
    new Date().toISOString(),
  );
  await store.prunePlans.removeRun(input.workflowId);
  if (!execution || executionsKept === 0) return;
  // Runs ended from outside never get here themselves: their ends are recorded first, so the sweep counts them.
  await recordUnreadEnds?.(execution.policyId, executionsKept);
  await store.executions.sweep(execution.policyId, executionsKept);
}

/** Opens a run: its execution id and the worker's settings, in one local activity rather than two. */
export async function openRun(
  store: Store,
  input: RecordExecutionInput,
  settings: RunSettings,
): Promise<OpenedRun> {
  const { executionId } = await recordExecution(store, input);
  return { executionId, settings };
}

/**
 * Closes a run in one local activity rather than three: the tasks of the page it copied itself
 * (before its result, so a closed run is never read without them), how it ended, and whether a
 * notification policy wants that told. Each write is idempotent, so a retry repeats none of it.
 */
export async function closeRun(
  store: Store,
  input: CloseRunInput,
  executionsKept: number,
  recordUnreadEnds?: RecordUnreadEnds,
): Promise<ClosedRun> {
  for (const page of input.pages) await recordPageTasks(store, { runWorkflowId: input.workflowId, ...page });
  await recordRunResult(store, input, executionsKept, recordUnreadEnds);
  const listeners = input.event ? await store.notificationPolicies.wanting(input.event) : [];
  return { notify: listeners.length > 0 };
}
