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
