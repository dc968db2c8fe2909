import type { NotificationEventType, Platform, PolicySnapshot, VerifyMode } from '../policies/index.js';
import type { Artifact, Operation } from './artifact.js';
import type { DriftFindings } from './drift.js';
import type { ExecutionSummary } from './execution-summary.js';
import type {
  DeliveryRef,
  NotificationEvent,
  PrepareNotificationsInput,
  PreparedNotifications,
  RecordDriftStatesInput,
} from './notifications.js';
import type { Trigger } from './run-input.js';
import type { ReplicationTask } from './tasks.js';

// The inputs and results of Regatta's activities: plain data, registries by id, never a secret.

export interface RecordExecutionInput {
  workflowId: string;
  policyId: number;
  trigger: Trigger;
}

/** A page's tasks as it ended, kept so a closed run is read without replaying it. */
export interface KeptPage {
  page: number;
  firstTaskId: number;
  tasks: ReplicationTask[];
}

export interface RecordPageTasksInput extends KeptPage {
  /** The run's workflow id (not the page's). */
  runWorkflowId: string;
}

/** How a run ended, as it reports itself. */
export interface RecordRunResultInput {
  workflowId: string;
  summary: ExecutionSummary;
}

/** What a run learns as it opens: its Harbor execution id, and the worker's settings it follows. */
export interface OpenedRun {
  executionId: number;
  settings: RunSettings;
}

/** How a run ended, with the tasks of the page it copied itself and the event its end tells. */
export interface CloseRunInput extends RecordRunResultInput {
  pages: KeptPage[];
  event?: NotificationEventType;
}

export interface ClosedRun {
  /** Whether a notification policy wants the run's end told: only then are deliveries prepared. */
  notify: boolean;
}

export interface EnumerateCursor {
  /** The last repository of the previous page, and the last tag taken from it. */
  repository: string;
  tag: string;
}

export interface EnumerateArtifactsInput {
  policy: PolicySnapshot;
  cursor?: EnumerateCursor;
  pageSize: number;
  /**
   * When the listing ends on this page (the run's only page), check it in place too, as
   * `checkInPlace` would, every artifact against every destination: the run saves an activity.
   */
  checkIfLast?: { dryRun: boolean };
}

export interface EnumerateArtifactsResult {
  artifacts: Artifact[];
  next?: EnumerateCursor;
  /**
   * The check `checkIfLast` asked for, when it could be made. Its checks are the artifacts in
   * order, and a task is named by its place in the page: artifact index × destinations + the
   * destination's index, the order `planTasks` numbers a page's tasks in.
   */
  inPlace?: InPlaceResult;
}

export interface DestinationRef {
  registryId: number;
  repository: string;
  /**
   * A check just found the destination's tag missing or on another digest: with override on, the
   * copy sets it without asking again.
   */
  stale?: true;
}

export interface ReplicateArtifactInput {
  sourceRegistryId: number;
  artifact: Artifact;
  destinations: DestinationRef[];
  operation: Operation;
  override: boolean;
  platforms?: Platform[];
  replicateReferrers: boolean;
  /** This activity's share of the run's bandwidth cap, bytes per second. */
  bytesPerSecond?: number;
  /** Every blob in resumable chunks (the policy's `copy_by_chunk`); else only blobs over 8 MiB. */
  chunked?: boolean;
  /** Plan only: report what the copy would do (outcome `would_copy`, bytes it would send), write nothing. */
  dryRun?: boolean;
  /** For event runs, when the registry reported the push (ISO 8601): push-to-site latency counts from it. */
  eventTime?: string;
}

export interface DestinationResult {
  registryId: number;
  repository: string;
  ok: boolean;
  /**
   * copied, skipped (already there), kept (override off, another digest left), superseded (the
   * source moved on before the tag was set, so it was not), deleted, absent, kept_source_has_it (a
   * delete not done: the source has the tag when asked just before), failed, would_copy.
   */
  outcome:
    | 'copied'
    | 'skipped'
    | 'kept'
    | 'superseded'
    | 'deleted'
    | 'absent'
    | 'kept_source_has_it'
    | 'failed'
    | 'would_copy';
  digest?: string;
  bytes: number;
  /** Why the destination was left as it was (superseded, kept), or in a plan what it would send, for the task's log. */
  note?: string;
  /**
   * Why it failed. REGISTRY_RATE_LIMITED (retryable) carries `resumeAt` (ISO 8601): the
   * destination's registry takes requests again from then on, and trying before is wasted.
   */
  error?: { code: string; message: string; retryable: boolean; resumeAt?: string };
}

export interface ReplicateArtifactResult {
  digest?: string;
  destinations: DestinationResult[];
}

/** One artifact of a batch and the tasks (one per destination) that copy or delete it. */
export interface CopyBatchItem {
  artifact: Artifact;
  targets: Array<{ taskId: number; registryId: number; repository: string; stale?: true }>;
  /**
   * The digest the source's tag pointed to when the page was checked: the copy reads the source
   * by it, once for every tag of the batch that shares it (its tag guard catches a move since).
   */
  sourceDigest?: string;
}

/**
 * Some artifacts of a page, copied (or deleted) by one activity with bounded concurrency inside
 * it: what is already in place is found first (HEADs only), each source manifest is read once
 * however many tags share it, each blob once per destination repository.
 */
export interface CopyBatchInput {
  sourceRegistryId: number;
  operation: Operation;
  override: boolean;
  platforms?: Platform[];
  replicateReferrers: boolean;
  /** This batch's share of the run's bandwidth cap, bytes per second. */
  bytesPerSecond?: number;
  /** Every blob in resumable chunks (the policy's `copy_by_chunk`); else only blobs over 8 MiB. */
  chunked?: boolean;
  /** Look for what is already in place first: worth it for enumerated runs, not for a fresh push. */
  checkUpToDate: boolean;
  dryRun?: boolean;
  /** For event runs, when the registry reported the push (ISO 8601). */
  eventTime?: string;
  items: CopyBatchItem[];
}

/** What happened to one task: a destination's result, keyed by the task. */
export type TaskResult = Omit<DestinationResult, 'registryId' | 'repository'> & { taskId: number };

export interface CopyBatchResult {
  /** One per target of every item, in no particular order. */
  results: TaskResult[];
}

export interface UpToDateCheck {
  artifact: Artifact;
  targets: Array<{ taskId: number; registryId: number; repository: string }>;
}

export interface FindUpToDateInput {
  sourceRegistryId: number;
  checks: UpToDateCheck[];
  override: boolean;
  /** Part of a dry run: the checks are the same; only the metrics leave a plan out. */
  dryRun?: boolean;
}

export interface UpToDateTask {
  taskId: number;
  /** skipped: the destination's tag already points to the source digest; kept: another digest, left in place (override off). */
  outcome: 'skipped' | 'kept';
  digest: string;
}

/** What `checkInPlace` found: the tasks in place, and the source digest of every other artifact it could read. */
export interface InPlaceResult {
  found: UpToDateTask[];
  /** The distinct digests the source's tags pointed to, of the artifacts still to copy somewhere. */
  digests: string[];
  /**
   * Per check, in the input's order: the position in `digests` of its source digest, or -1 (not
   * read, or nothing of it left to copy). Many tags of one image are one digest and small numbers.
   */
  sourceDigestOf: number[];
  /** The tasks whose destination answered without the source's digest under the tag (missing, or another). */
  stale: number[];
}

export interface PlanPruneInput {
  policy: PolicySnapshot;
  destinationRegistryId: number;
}

export interface PrunePlan {
  /** Tags to delete at the destination, each with the digest it points to there. */
  artifacts: Artifact[];
  /** Tags in scope at the destination before pruning. */
  inScope: number;
  /** Set when the guardrails refuse the prune: nothing is deleted. */
  refusal?: string;
}

export interface PlanPrunePagesInput {
  policy: PolicySnapshot;
  destinationRegistryId: number;
  /** The run's workflow id: its plans are dropped when it keeps its result. */
  runWorkflowId: string;
  /** Deletions per page. */
  pageSize: number;
}

/**
 * A prune plan kept in the store, not in history: its pages are read one at a time by the pages
 * that delete them (`readPrunePage`), so no history event holds more than one page.
 */
export interface PrunePlanPages {
  planId: string;
  /** Pages of at most `pageSize` deletions each; 0 when nothing is to be deleted or it is refused. */
  pages: number;
  deletions: number;
  /** Tags in scope at the destination before pruning. */
  inScope: number;
  /** Set when the guardrails refuse the prune: nothing is deleted. */
  refusal?: string;
}

export interface ReadPrunePageInput {
  planId: string;
  /** From 1. */
  page: number;
}

export interface PrunePage {
  /** Tags to delete at the destination, each with the digest it points to there. */
  artifacts: Artifact[];
}

export interface AuditDriftInput {
  policy: PolicySnapshot;
  verify: VerifyMode;
}

/** What a run reads from its worker's configuration when it starts. */
export interface RunSettings {
  /** How long what fails for a transient reason is tried again (REGATTA_RETRY_BUDGET_MINUTES). */
  retryBudgetMs: number;
}

/** What a run follows when its worker sets nothing: a retry budget of 30 minutes. */
export const defaultRunSettings: RunSettings = { retryBudgetMs: 30 * 60_000 };

/**
 * The activities a worker offers, as workflows call them (`proxyActivities<ReplicationActivities>`).
 * The worker's implementation is checked against this interface, so the two cannot drift apart.
 */
export interface ReplicationActivities {
  recordExecution(input: RecordExecutionInput): Promise<{ executionId: number }>;
  recordPageTasks(input: RecordPageTasksInput): Promise<void>;
  recordRunResult(input: RecordRunResultInput): Promise<void>;
  /** `recordExecution` and `runSettings` in one local activity: how runs open since `runBookends`. */
  openRun(input: RecordExecutionInput): Promise<OpenedRun>;
  /**
   * A run's own page's `recordPageTasks`, its `recordRunResult`, and whether its end is to be told,
   * in one local activity: how runs close since `runBookends`.
   */
  closeRun(input: CloseRunInput): Promise<ClosedRun>;
  enumerateArtifacts(input: EnumerateArtifactsInput): Promise<EnumerateArtifactsResult>;
  /** The whole plan in its result: scheduled by runs started before prune plans were paged. */
  planPrune(input: PlanPruneInput): Promise<PrunePlan>;
  /** The plan kept in the store, in pages; the result says how many. */
  planPrunePages(input: PlanPrunePagesInput): Promise<PrunePlanPages>;
  readPrunePage(input: ReadPrunePageInput): Promise<PrunePage>;
  findUpToDate(input: FindUpToDateInput): Promise<UpToDateTask[]>;
  /** A whole page's up-to-date check in one activity (HEADs only), before its copies. */
  checkInPlace(input: FindUpToDateInput): Promise<InPlaceResult>;
  auditDrift(input: AuditDriftInput): Promise<DriftFindings>;
  /** Copies an artifact to its destinations, or deletes it there (`operation`); runs before batches. */
  replicateArtifact(input: ReplicateArtifactInput): Promise<ReplicateArtifactResult>;
  /** Copies (or deletes) some artifacts of a page at all their destinations. */
  copyBatch(input: CopyBatchInput): Promise<CopyBatchResult>;
  /** The worker's settings a run follows (its retry budget). */
  runSettings(): Promise<RunSettings>;
  /** Queues a delivery per event and notification policy that wants it; builds each payload once. */
  prepareNotifications(input: PrepareNotificationsInput): Promise<PreparedNotifications>;
  /**
   * Posts one queued delivery, signed; each try is recorded. Throws to be tried again; false when
   * there was nothing to send (its policy deleted, or it was settled already).
   */
  deliverNotification(input: DeliveryRef): Promise<boolean>;
  /** A delivery whose tries ran out is failed for good. */
  abandonNotification(input: DeliveryRef): Promise<void>;
  /** Keeps whether each audited site drifts; what changed since the previous audit is told. */
  recordDriftStates(input: RecordDriftStatesInput): Promise<NotificationEvent[]>;
}
