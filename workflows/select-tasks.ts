import type { PageTasks, ReplicationTask, TaskRequest } from '../contract/index.js';

/** Some of a page's tasks: those of a status (or all), from `offset`, at most `limit` (≤ 5,000). */
export function selectTasks(tasks: readonly ReplicationTask[], request: TaskRequest = {}): PageTasks {
  const matching = request.status ? tasks.filter((task) => task.status === request.status) : tasks;
  const offset = Math.max(0, request.offset ?? 0);
  const limit = Math.min(Math.max(1, request.limit ?? 100), 5000);
  return { tasks: matching.slice(offset, offset + limit), matching: matching.length };
}
