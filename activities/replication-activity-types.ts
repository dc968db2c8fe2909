import type { Platform } from '../policies/replication-policy.js';
import type { Artifact, Operation, PolicySnapshot, Trigger } from '../workflows/replication-model.js';

// The inputs and results of Regatta's activities: plain data, registries by id, never a secret.

export interface RecordExecutionInput {
  workflowId: string;
  policyId: number;
  trigger: Trigger;
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
}

export interface EnumerateArtifactsResult {
  artifacts: Artifact[];
  next?: EnumerateCursor;
}

export interface DestinationRef {
  registryId: number;
  repository: string;
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
  /** Plan only: report what the copy would do (outcome `would_copy`, bytes it would send), write nothing. */
  dryRun?: boolean;
  /** For event runs, when the registry reported the push (ISO 8601): push-to-site latency counts from it. */
  eventTime?: string;
}

export interface DestinationResult {
  registryId: number;
  repository: string;
  ok: boolean;
  outcome: 'copied' | 'skipped' | 'kept' | 'deleted' | 'absent' | 'failed' | 'would_copy';
  digest?: string;
  bytes: number;
  error?: { code: string; message: string; retryable: boolean };
}

export interface ReplicateArtifactResult {
  digest?: string;
  destinations: DestinationResult[];
}
