import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  pageTasksQuery,
  runStatusQuery,
  type ExecutionStatus,
  type ExecutionSummary,
  type PageTasks,
  type RunStatus,
  type TaskRequest,
  type Trigger,
} from '../contract/index.js';
import type { ExecutionRecord } from '../store/index.js';

/** Temporal's workflow status names, as `describe()` returns them. */
export type WorkflowStatusName =
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TERMINATED'
  | 'CONTINUED_AS_NEW'
  | 'TIMED_OUT'
  | 'PAUSED'
  | 'UNKNOWN'
  | 'UNSPECIFIED';

/** What is known of one execution: its record, and what Temporal says of its run. */
export interface ExecutionFacts {
  id: number;
  policyId: number;
  trigger: Trigger;
  workflowId: string;
  workflowStatus: WorkflowStatusName;
  /** Harbor's status word, from Temporal's status and the run's own summary. */
  status: ExecutionStatus;
  /** A plan: its tasks say what a real run would do, and nothing was written. */
  dryRun: boolean;
  startTime: Date;
  closeTime?: Date;
  summary?: ExecutionSummary;
}

/** Harbor's execution status from Temporal's: the workflow's own summary decides between success and failure. */
export function executionStatus(
  workflowStatus: WorkflowStatusName,
  summary: ExecutionSummary | undefined,
): ExecutionStatus {
  switch (workflowStatus) {
    case 'COMPLETED':
      return summary && summary.status !== 'InProgress' ? summary.status : 'Succeed';
    case 'CANCELLED':
      return 'Stopped';
    case 'FAILED':
    case 'TERMINATED':
    case 'TIMED_OUT':
      return 'Failed';
    default:
      return 'InProgress';
  }
}

/** A query waits for a worker to answer it; while none polls, a read answers without the run's status. */
const queryTimeoutMs = 5_000;

/**
 * The status of a run (or of one of its pages), read from Temporal: its `status` query. A closed
 * workflow answers too (a worker replays it); undefined when none can, or none answers in time.
 */
export async function queryRunStatus(client: Client, workflowId: string): Promise<RunStatus | undefined> {
  try {
    return await client.withAbortSignal(AbortSignal.timeout(queryTimeoutMs), () =>
      client.workflow.getHandle(workflowId).query(runStatusQuery),
    );
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
    return {
      ...base,
      workflowStatus: 'UNKNOWN',
      status: executionStatus('UNKNOWN', undefined),
      dryRun: false,
      startTime: new Date(record.creationTime),
    };
  }
  const workflowStatus = description.status.name as WorkflowStatusName;
  let summary: ExecutionSummary | undefined;
  if (workflowStatus === 'COMPLETED') summary = (await handle.result()) as ExecutionSummary;
  else summary = (await queryRunStatus(client, record.workflowId))?.summary;
  return {
    ...base,
    workflowStatus,
    status: executionStatus(workflowStatus, summary),
    dryRun: description.memo?.dryRun === true,
    startTime: description.startTime,
    ...(description.closeTime ? { closeTime: description.closeTime } : {}),
    ...(summary ? { summary } : {}),
  };
}

/**
 * Some of a run's tasks, in id order: they live in its pages (child workflows), so the run's
 * status lists its pages with a tally each, and only the pages the window covers are asked for
 * tasks. The page being copied answers with live progress.
 */
export async function readTasks(
  client: Client,
  workflowId: string,
  request: TaskRequest,
): Promise<PageTasks | undefined> {
  const run = await queryRunStatus(client, workflowId);
  if (!run) return undefined;
  let skip = Math.max(0, request.offset ?? 0);
  let wanted = Math.min(Math.max(1, request.limit ?? 100), 5000);
  const found: PageTasks = { tasks: [], matching: 0 };
  for (const page of run.pages ?? []) {
    const tally =
      page.workflowId === run.activePage
        ? ((await queryRunStatus(client, page.workflowId))?.tally ?? page.tally)
        : page.tally;
    const count = request.status ? (tally.statuses[request.status] ?? 0) : page.taskCount;
    found.matching += count;
    if (wanted === 0 || skip >= count) {
      skip -= Math.min(skip, count);
      continue;
    }
    const some = await client.workflow.getHandle(page.workflowId).query(pageTasksQuery, {
      offset: skip,
      limit: wanted,
      ...(request.status ? { status: request.status } : {}),
    });
    found.tasks.push(...some.tasks);
    wanted -= some.tasks.length;
    skip = 0;
  }
  return found;
}
