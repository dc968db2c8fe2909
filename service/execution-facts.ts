import type { Client } from '@temporalio/client';
import type { ExecutionRecord, Store } from '../store/index.js';
import { readExecution, type ExecutionFacts } from './read-execution.js';
import { unrecordedEnd, type RecordedEnd } from './unrecorded-end.js';

/**
 * The end of a run that completed before the store kept results: in Temporal only, as its result.
 */
function completedEnd(execution: ExecutionFacts): RecordedEnd | undefined {
  if (execution.workflowStatus !== 'COMPLETED' || !execution.summary || !execution.closeTime)
    return undefined;
  return { summary: execution.summary, closedAt: execution.closeTime.toISOString() };
}

/**
 * What Temporal and the store say of an execution: the one way the service reads executions.
 * A run that completed before the store kept results has its result kept as it is first read.
 * An end its run could not record (terminated or timed out in Temporal, or forgotten past
 * retention) is recorded as it is first read, so it reads the same however long Temporal keeps
 * the run, and the execution sweep counts it.
 */
export async function executionFact(
  store: Store,
  client: Client,
  record: ExecutionRecord,
): Promise<ExecutionFacts> {
  const execution = await readExecution(client, record);
  const end = record.result ? undefined : (completedEnd(execution) ?? unrecordedEnd(execution, new Date()));
  if (!end) return execution;
  await store.executions.recordResult(record.workflowId, end.summary, end.closedAt);
  // As every later read has it: with the close time recorded (Temporal has none of a run it forgot).
  return {
    ...execution,
    status: end.summary.status,
    closeTime: new Date(end.closedAt),
    summary: end.summary,
    summaryIsFinal: true,
  };
}

/** `executionFact` of each record, read at once. */
export function executionFacts(
  store: Store,
  client: Client,
  records: readonly ExecutionRecord[],
): Promise<ExecutionFacts[]> {
  return Promise.all(records.map((record) => executionFact(store, client, record)));
}
