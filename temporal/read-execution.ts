import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ExecutionFacts, WorkflowStatusName } from '../api/execution-view.js';
import type { ExecutionRecord } from '../store/index.js';
import type { ExecutionSummary, ReplicationTask, Trigger } from '../workflows/replication-model.js';
import { runStatusQuery, type RunStatus, type RunStatusRequest } from '../workflows/run-status-query.js';

/**
 * The status of a run, read from Temporal: the workflow's own status, and its `status` query for
 * counts and tasks. A closed run answers the query too (a worker replays it); when none can,
 * the run's result still gives the counts of a completed run.
 */
export async function queryRunStatus(
  client: Client,
  workflowId: string,
  request?: RunStatusRequest,
): Promise<RunStatus | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).query(runStatusQuery, request);
  } catch {
    return undefined;
  }
}

export async function readExecution(client: Client, record: ExecutionRecord): Promise<ExecutionFacts> {
  const handle = client.workflow.getHandle(record.workflowId);
  const base = {
    id: record.id,
    policyId: record.policyId,
    trigger: record.trigger as Trigger,
    workflowId: record.workflowId,
  };
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // Past the namespace's retention Temporal forgets a run; Harbor would still list it.
    return { ...base, workflowStatus: 'UNKNOWN', dryRun: false, startTime: new Date(record.creationTime) };
  }
  const workflowStatus = description.status.name as WorkflowStatusName;
  let summary: ExecutionSummary | undefined;
  if (workflowStatus === 'COMPLETED') summary = (await handle.result()) as ExecutionSummary;
  else summary = (await queryRunStatus(client, record.workflowId, { limit: 1 }))?.summary;
  return {
    ...base,
    workflowStatus,
    dryRun: description.memo?.dryRun === true,
    startTime: description.startTime,
    ...(description.closeTime ? { closeTime: description.closeTime } : {}),
    ...(summary ? { summary } : {}),
  };
}

/**
 * A page of a run's tasks. While a page of artifacts is being copied, its tasks' live progress
 * is in that page's child workflow; it replaces the parent's pending view of them.
 */
export async function readTasks(
  client: Client,
  workflowId: string,
  request: RunStatusRequest,
): Promise<RunStatus | undefined> {
  const status = await queryRunStatus(client, workflowId, request);
  if (!status?.activePage) return status;
  const live = await queryRunStatus(client, status.activePage, { limit: 5000 });
  if (!live) return status;
  const byId = new Map<number, ReplicationTask>(live.tasks.map((task) => [task.id, task]));
  return { ...status, tasks: status.tasks.map((task) => byId.get(task.id) ?? task) };
}
