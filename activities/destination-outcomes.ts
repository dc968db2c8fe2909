import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  CopyBatchInput,
  CopyBatchResult,
  DestinationResult,
  FindUpToDateInput,
  Operation,
  ReplicateArtifactInput,
  ReplicateArtifactResult,
  UpToDateTask,
} from '../contract/index.js';
import { errorCode } from '../errors/regatta-error.js';

/** What one activity attempt did for one artifact at one destination registry. */
export interface DestinationOutcome {
  registryId: number;
  operation: Operation;
  outcome: DestinationResult['outcome'];
  ok: boolean;
  /** Bytes the attempt uploaded; absent for an activity that never uploads (the up-to-date check). */
  bytes?: number;
  /** The error code, when the destination failed. */
  reason?: string;
}

/** A failure that names a destination but no artifact outcome (a whole up-to-date check failed). */
export interface DestinationFailure {
  registryId: number;
  reason: string;
}

export function replicationOutcomes(
  input: ReplicateArtifactInput,
  result: ReplicateArtifactResult,
): DestinationOutcome[] {
  return result.destinations.map((destination) => ({
    registryId: destination.registryId,
    operation: input.operation,
    outcome: destination.outcome,
    ok: destination.ok,
    bytes: destination.bytes,
    ...(destination.ok ? {} : { reason: destination.error?.code ?? 'UNKNOWN' }),
  }));
}

/** The whole attempt failed (e.g. the source refused it): every destination it was for failed with it. */
export function failedReplicationOutcomes(
  input: ReplicateArtifactInput,
  reason: string,
): DestinationOutcome[] {
  return input.destinations.map((destination) => ({
    registryId: destination.registryId,
    operation: input.operation,
    outcome: 'failed',
    ok: false,
    bytes: 0,
    reason,
  }));
}

/** A batch's results name tasks only: their registries are in the batch's items. */
export function batchOutcomes(input: CopyBatchInput, result: CopyBatchResult): DestinationOutcome[] {
  const registryOf = new Map(
    input.items.flatMap((item) => item.targets.map((target) => [target.taskId, target.registryId] as const)),
  );
  return result.results.flatMap((task) => {
    const registryId = registryOf.get(task.taskId);
    if (registryId === undefined) return [];
    return [
      {
        registryId,
        operation: input.operation,
        outcome: task.outcome,
        ok: task.ok,
        bytes: task.bytes,
        ...(task.ok ? {} : { reason: task.error?.code ?? 'UNKNOWN' }),
      },
    ];
  });
}

/** The whole batch failed (its source unreachable, say): every task of it failed with it. */
export function failedBatchOutcomes(input: CopyBatchInput, reason: string): DestinationOutcome[] {
  return input.items.flatMap((item) =>
    item.targets.map((target) => ({
      registryId: target.registryId,
      operation: input.operation,
      outcome: 'failed' as const,
      ok: false,
      bytes: 0,
      reason,
    })),
  );
}

/** The check's result names tasks only: their registries are in the check's own targets. */
export function upToDateOutcomes(
  input: FindUpToDateInput,
  found: readonly UpToDateTask[],
): DestinationOutcome[] {
  const registryOfTask = new Map(
    input.checks.flatMap((check) =>
      check.targets.map((target) => [target.taskId, target.registryId] as const),
    ),
  );
  return found.flatMap((task) => {
    const registryId = registryOfTask.get(task.taskId);
    if (registryId === undefined) return [];
    return [{ registryId, operation: 'copy' as const, outcome: task.outcome, ok: true }];
  });
}

export function upToDateFailures(input: FindUpToDateInput, reason: string): DestinationFailure[] {
  const registryIds = new Set(
    input.checks.flatMap((check) => check.targets.map((target) => target.registryId)),
  );
  return [...registryIds].map((registryId) => ({ registryId, reason }));
}

/**
 * The reason an activity attempt failed, as the failures metric labels it: the ApplicationFailure's
 * type (the Regatta error code given at the activity edge); undefined for a cancellation, which is
 * a stop, not a failure.
 */
export function failureReason(error: unknown): string | undefined {
  if (error instanceof ApplicationFailure) return error.type ?? 'UNKNOWN';
  // The activity edge reports whatever a cancelled activity throws as a CancelledFailure.
  if (error instanceof CancelledFailure) return undefined;
  return errorCode(error) ?? 'UNKNOWN';
}
