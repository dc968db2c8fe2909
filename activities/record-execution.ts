import type { RecordExecutionInput } from '../contract/index.js';
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
