import { z } from 'zod';

export const ExecutionStatus = z.enum(['InProgress', 'Succeed', 'Failed', 'Stopped']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** Harbor's execution counts. */
export const TaskCounts = z.object({
  total: z.number().int(),
  failed: z.number().int(),
  succeed: z.number().int(),
  in_progress: z.number().int(),
  stopped: z.number().int(),
});
export type TaskCounts = z.infer<typeof TaskCounts>;

/** The counts of an execution that has told none of its tasks. */
export const noTaskCounts: TaskCounts = { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 };

/** What a run reports of itself, running (its status query) or done (its result). */
export const ExecutionSummary = z.object({
  status: ExecutionStatus,
  statusText: z.string(),
  counts: TaskCounts,
  bytes: z.number(),
  /** A plan: `bytes` is what a real run would send. */
  dryRun: z.boolean().optional(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;
