import { noTaskCounts, type ReplicationTask } from '../contract/index.js';
import type { ExecutionFacts } from '../service/index.js';
import { toDeliveryView } from './notification-delivery-view.js';

/**
 * Harbor's `ReplicationExecution`, plus Regatta's `workflow_id`, `bytes`, `dry_run` and, for one
 * execution, `notifications`: how its end was told.
 */
export function toHarborExecution(facts: ExecutionFacts) {
  const { status } = facts;
  const counts = facts.summary?.counts ?? noTaskCounts;
  let statusText = facts.summary?.statusText ?? '';
  // A run that ended without saying how (terminated, timed out) reads as what Temporal says.
  if (status === 'Failed' && facts.workflowStatus !== 'COMPLETED' && !facts.summaryIsFinal)
    statusText = `run ${facts.workflowStatus.toLowerCase()}`;
  if (facts.workflowStatus === 'CANCELLED' && !statusText.includes('stopped'))
    statusText = `stopped; ${statusText}`;
  return {
    id: facts.id,
    policy_id: facts.policyId,
    status,
    trigger: facts.trigger,
    start_time: facts.startTime.toISOString(),
    end_time: facts.closeTime?.toISOString() ?? null,
    status_text: statusText,
    ...counts,
    bytes: facts.summary?.bytes ?? 0,
    dry_run: facts.dryRun,
    workflow_id: facts.workflowId,
    ...(facts.notifications ? { notifications: facts.notifications.map(toDeliveryView) } : {}),
  };
}

/** Harbor's `ReplicationTask`, plus Regatta's `outcome`, `digest`, `bytes` and `attempts`. */
export function toHarborTask(task: ReplicationTask, executionId: number) {
  return {
    id: task.id,
    execution_id: executionId,
    status: task.status,
    job_id: `${executionId}-${task.id}`,
    operation: task.operation,
    resource_type: 'artifact',
    src_resource: task.srcResource,
    dst_resource: task.dstResource,
    start_time: task.startTime ?? null,
    end_time: task.endTime ?? null,
    outcome: task.outcome ?? null,
    digest: task.digest ?? null,
    note: task.note ?? null,
    bytes: task.bytes,
    attempts: task.attempts,
  };
}
