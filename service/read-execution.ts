import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  pageTasksQuery,
  runStatusQuery,
  selectTasks,
  type ExecutionStatus,
  type ExecutionSummary,
  type PageTasks,
  type RunStatus,
  type TaskRequest,
  type Trigger,
} from '../contract/index.js';
import type { ExecutionRecord, NotificationDelivery, Store } from '../store/index.js';

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
  /** The summary is what the run reported as it ended (its result, or what it kept), not a live reading. */
  summaryIsFinal?: boolean;
  /** How its end was told: one delivery per notification policy that wanted it (read for one execution). */
  notifications?: NotificationDelivery[];
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
 * workflow answers too, but only by a worker replaying it with today's code: closed runs are read
 * from the store, this is for running ones (and runs closed before the store kept them); undefined when none can, or none answers in time.
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
  const kept = record.result;
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // Past the namespace's retention Temporal forgets a run; Harbor would still list it. One that
    // never recorded its end did not end well (the service keeps it so: unrecordedEnd).
    return {
      ...base,
      workflowStatus: 'UNKNOWN',
      status: kept?.summary.status ?? 'Failed',
      dryRun: kept?.summary.dryRun === true,
      startTime: new Date(record.creationTime),
      ...(kept ? { closeTime: new Date(kept.closedAt), summary: kept.summary, summaryIsFinal: true } : {}),
    };
  }
  const workflowStatus = description.status.name as WorkflowStatusName;
  // What a closed run left (its result, or what it kept in the store) is read, never replayed.
  let summary: ExecutionSummary | undefined = kept?.summary;
  if (!summary && workflowStatus === 'COMPLETED') summary = (await handle.result()) as ExecutionSummary;
  const summaryIsFinal = summary !== undefined;
  summary ??= (await queryRunStatus(client, record.workflowId))?.summary;
  return {
    ...base,
    workflowStatus,
    status: executionStatus(workflowStatus, summary),
    dryRun: description.memo?.dryRun === true,
    startTime: description.startTime,
    ...(description.closeTime ? { closeTime: description.closeTime } : {}),
    ...(summary ? { summary, summaryIsFinal } : {}),
  };
}

/**
 * Some of a run's tasks, in id order: they live in its pages (child workflows), so the run's
 * status lists its pages with a tally each, and only the pages the window covers are asked for
 * tasks. The page being copied answers with live progress.
 */
export async function readTasks(
  client: Client,
  store: Store,
  record: ExecutionRecord,
  request: TaskRequest,
): Promise<PageTasks | undefined> {
  const kept = await keptTasks(store, record, request);
  if (kept) return kept;
  const run = await queryRunStatus(client, record.workflowId);
  if (!run) return undefined;
  let skip = Math.max(0, request.offset ?? 0);
  let wanted = Math.min(Math.max(1, request.limit ?? 100), 5000);
  const found: PageTasks = { tasks: [], matching: 0 };
  for (const page of run.pages ?? []) {
    // A page being copied in a child has live figures of its own; the run's own page is live already.
    const live =
      page.workflowId !== record.workflowId &&
      (page.workflowId === run.activePage || run.activePages?.includes(page.workflowId));
    const tally = live ? ((await queryRunStatus(client, page.workflowId))?.tally ?? page.tally) : page.tally;
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

/**
 * A closed run's tasks from what its pages kept in the store; undefined when they do not cover
 * the whole run (a run still going, or one whose first pages ended before the store kept them).
 */
async function keptTasks(
  store: Store,
  record: ExecutionRecord,
  request: TaskRequest,
): Promise<PageTasks | undefined> {
  if (!record.result) return undefined;
  const pages = await store.runPages.pages(record.workflowId);
  const kept = pages.reduce((sum, page) => sum + page.taskCount, 0);
  if (kept !== record.result.summary.counts.total) return undefined;
  let skip = Math.max(0, request.offset ?? 0);
  let wanted = Math.min(Math.max(1, request.limit ?? 100), 5000);
  const found: PageTasks = { tasks: [], matching: 0 };
  for (const page of pages) {
    // Without a status filter a page's count is known without reading its tasks.
    if (!request.status && (wanted === 0 || skip >= page.taskCount)) {
      found.matching += page.taskCount;
      skip -= Math.min(skip, page.taskCount);
      continue;
    }
    const some = selectTasks(await store.runPages.tasks(record.workflowId, page.page), {
      offset: skip,
      limit: Math.max(1, wanted),
      ...(request.status ? { status: request.status } : {}),
    });
    found.matching += some.matching;
    const taken = wanted === 0 ? [] : some.tasks;
    found.tasks.push(...taken);
    wanted -= taken.length;
    skip = Math.max(0, skip - some.matching);
  }
  return found;
}
