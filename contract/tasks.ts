import { z } from 'zod';
import { Operation } from './artifact.js';
import type { PageTasks, TaskRequest } from './run-status.js';

export const TaskStatus = z.enum(['Pending', 'InProgress', 'Succeed', 'Failed', 'Stopped']);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** What happened at one destination for one artifact: Harbor's task, with Regatta's detail. */
export const ReplicationTask = z.object({
  id: z.number().int(),
  operation: Operation,
  status: TaskStatus,
  srcResource: z.string(),
  dstResource: z.string(),
  destinationRegistryId: z.number().int(),
  destinationRepository: z.string(),
  /** Index of the artifact within its page; tasks of one artifact are copied together. */
  artifactIndex: z.number().int(),
  /**
   * copied | skipped (already there) | kept (override off, another digest left in place) | deleted |
   * absent | kept_source_has_it (not deleted: the source had it just before); in a dry run,
   * would_copy and would_delete instead of copied and deleted.
   */
  outcome: z.string().optional(),
  digest: z.string().optional(),
  bytes: z.number().default(0),
  attempts: z.number().int().default(0),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  /**
   * Why a destination was left as it was (superseded by a newer push, kept by the source); in a
   * tree, what its link says (its hub kept its own digest, or failed and was passed over); in a
   * plan, the blobs and manifests it would send.
   */
  note: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ReplicationTask = z.infer<typeof ReplicationTask>;

/** What a page's (or a whole run's) tasks add up to, without the tasks: kept by the parent per page. */
export const TaskTally = z.object({
  statuses: z.record(TaskStatus, z.number().int()),
  /** Tasks by outcome (copied, skipped, would_copy, ...). */
  outcomes: z.record(z.string(), z.number().int()),
  bytes: z.number(),
});
export type TaskTally = z.infer<typeof TaskTally>;

/** Some of a page's tasks: those of a status (or all), from `offset`, at most `limit` (≤ 5,000). */
export function selectTasks(tasks: readonly ReplicationTask[], request: TaskRequest = {}): PageTasks {
  const matching = request.status ? tasks.filter((task) => task.status === request.status) : tasks;
  const offset = Math.max(0, request.offset ?? 0);
  const limit = Math.min(Math.max(1, request.limit ?? 100), 5000);
  return { tasks: matching.slice(offset, offset + limit), matching: matching.length };
}
