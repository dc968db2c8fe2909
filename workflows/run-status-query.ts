import { defineQuery } from '@temporalio/workflow';
import type { ExecutionSummary, ReplicationTask, TaskStatus } from './replication-model.js';

export interface RunStatusRequest {
  offset?: number;
  limit?: number;
  status?: TaskStatus;
}

export interface RunStatus {
  summary: ExecutionSummary;
  /** Tasks matching the request's status, after `offset`, at most `limit`. */
  tasks: ReplicationTask[];
  /** How many tasks match the request's status in all. */
  matching: number;
  /** The child workflow copying the current page; its own status query has live task progress. */
  activePage?: string;
}

/** Answered by every replication run, running or closed: counts and a page of tasks. */
export const runStatusQuery = defineQuery<RunStatus, [RunStatusRequest?]>('status');

export function selectTasks(tasks: readonly ReplicationTask[], request: RunStatusRequest = {}) {
  const matching = request.status ? tasks.filter((task) => task.status === request.status) : tasks;
  const offset = Math.max(0, request.offset ?? 0);
  const limit = Math.min(Math.max(1, request.limit ?? 100), 5000);
  return { tasks: matching.slice(offset, offset + limit), matching: matching.length };
}
