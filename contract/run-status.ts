import { defineQuery } from '@temporalio/workflow';
import type { ExecutionSummary } from './execution-summary.js';
import type { ReplicationTask, TaskStatus, TaskTally } from './tasks.js';

export interface TaskRequest {
  offset?: number;
  limit?: number;
  status?: TaskStatus;
}

/** One page of a run: a child workflow holding the tasks of its artifacts. */
export interface PageRecord {
  workflowId: string;
  /** Task ids of a run are numbered across its pages: this page has firstTaskId .. firstTaskId + taskCount - 1. */
  firstTaskId: number;
  taskCount: number;
  /** Its tasks added up; all pending while the page runs (its own status query has the live figures). */
  tally: TaskTally;
}

export interface RunStatus {
  summary: ExecutionSummary;
  tally: TaskTally;
  /** A run's pages, in task order; absent for a page itself. */
  pages?: PageRecord[];
  /** The page being copied now. */
  activePage?: string;
  /** The pages being copied now (a run copies several at once; its own page is named by the run's id). */
  activePages?: string[];
}

export interface PageTasks {
  /** Tasks matching the request's status, after `offset`, at most `limit`. */
  tasks: ReplicationTask[];
  /** How many tasks match the request's status in all. */
  matching: number;
}

/** Answered by every run and every page, running or closed: status and counts. */
export const runStatusQuery = defineQuery<RunStatus>('status');

/** Answered by every page: some of its tasks. A run's tasks are its pages' tasks, in page order. */
export const pageTasksQuery = defineQuery<PageTasks, [TaskRequest?]>('tasks');
