import { z } from 'zod';
import { ReplicationFilter } from '../policies/replication-filter.js';
import { Platform } from '../policies/replication-policy.js';

/** How a run was started; Harbor's trigger words. */
export const Trigger = z.enum(['manual', 'scheduled', 'event_based']);
export type Trigger = z.infer<typeof Trigger>;

/**
 * What a run needs to know of its policy, taken when the run starts. Registries are ids only:
 * credentials are resolved by activities, so they never enter workflow history.
 */
export const PolicySnapshot = z.object({
  id: z.number().int(),
  name: z.string(),
  srcRegistryId: z.number().int(),
  destinations: z.array(z.object({ registryId: z.number().int(), name: z.string() })).min(1),
  filters: z.array(ReplicationFilter),
  destNamespace: z.string().optional(),
  destNamespaceReplaceCount: z.number().int().default(-1),
  override: z.boolean().default(true),
  replicateDeletion: z.boolean().default(false),
  /** Harbor's `speed`: KiB/s for the whole run; 0 or absent = unlimited. */
  speedKiBps: z.number().min(0).optional(),
  platforms: z.array(Platform).optional(),
  replicateReferrers: z.boolean().default(false),
  /** Disaster-recovery mirroring: after copying, delete at each destination what the source no longer has. */
  mirror: z
    .object({ prune: z.boolean(), maxDeleteRatio: z.number().min(0).max(1), protect: z.array(z.string()) })
    .optional(),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshot>;

/** One source artifact: a tag (or a bare digest) in a repository. */
export const Artifact = z.object({
  repository: z.string(),
  tag: z.string().optional(),
  digest: z.string().optional(),
});
export type Artifact = z.infer<typeof Artifact>;

export const Operation = z.enum(['copy', 'delete']);
export type Operation = z.infer<typeof Operation>;

export const ReplicationRunInput = z.object({
  policy: PolicySnapshot,
  trigger: Trigger,
  /** Given for event-based runs; otherwise the run enumerates the source. */
  artifacts: z.array(Artifact).optional(),
  operation: Operation.default('copy'),
  /** Set when the run must not copy (single active replication): it is recorded, then ends stopped. */
  skipReason: z.string().optional(),
  /** Plan only: the tasks say what a real run would copy, skip and delete; nothing is written. */
  dryRun: z.boolean().default(false),
  /** For event runs, when the registry reported the change (ISO 8601). */
  eventTime: z.string().optional(),
});
export type ReplicationRunInput = z.input<typeof ReplicationRunInput>;

export const TaskStatus = z.enum(['Pending', 'InProgress', 'Succeed', 'Failed', 'Stopped']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const ExecutionStatus = z.enum(['InProgress', 'Succeed', 'Failed', 'Stopped']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

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
   * absent; in a dry run, would_copy and would_delete instead of copied and deleted.
   */
  outcome: z.string().optional(),
  digest: z.string().optional(),
  bytes: z.number().default(0),
  attempts: z.number().int().default(0),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
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

export const TaskCounts = z.object({
  total: z.number().int(),
  failed: z.number().int(),
  succeed: z.number().int(),
  in_progress: z.number().int(),
  stopped: z.number().int(),
});
export type TaskCounts = z.infer<typeof TaskCounts>;

export const ExecutionSummary = z.object({
  status: ExecutionStatus,
  statusText: z.string(),
  counts: TaskCounts,
  bytes: z.number(),
  /** A plan: `bytes` is what a real run would send. */
  dryRun: z.boolean().optional(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;
