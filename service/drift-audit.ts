import { ActivityFailure, WorkflowFailedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import {
  driftAuditType,
  policyIdKey,
  policyNameKey,
  taskQueue,
  type DriftAuditInput,
  type DriftAuditWorkflow,
  type DriftReport,
} from '../contract/index.js';
import type { PolicySnapshot, VerifyMode } from '../policies/index.js';
import { DriftAuditFailedError } from './drift-audit-failed-error.js';
import { driftAuditId } from './run-identity.js';

/** The start options every drift audit shares, scheduled ones included: queue, id, search attributes, UI summary. */
export function driftAuditOptions(
  policy: PolicySnapshot,
  verify: VerifyMode,
  trigger: 'requested' | 'scheduled',
) {
  return {
    taskQueue,
    workflowId: driftAuditId(policy.id, verify),
    args: [{ policy, verify }] as [DriftAuditInput],
    staticSummary: `${policy.name}: ${trigger} drift audit (verify: ${verify})`,
    typedSearchAttributes: [
      { key: policyIdKey, value: policy.id },
      { key: policyNameKey, value: policy.name },
    ],
  };
}

/**
 * Runs a drift audit and waits for its report. Requests for the same policy and mode while one
 * is running share it, rather than each reading every registry again.
 */
export async function runDriftAudit(
  client: Client,
  policy: PolicySnapshot,
  verify: VerifyMode,
): Promise<DriftReport> {
  const handle = await client.workflow.start<DriftAuditWorkflow>(driftAuditType, {
    ...driftAuditOptions(policy, verify, 'requested'),
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  try {
    return await handle.result();
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    // The activity's failure (a registry unreachable, refused...) says what went wrong; never a secret.
    const failure = error.cause instanceof ActivityFailure ? (error.cause.cause ?? error.cause) : error.cause;
    throw new DriftAuditFailedError(
      `drift audit of ${policy.name} failed: ${failure?.message ?? 'unknown'}`,
      {
        cause: error,
      },
    );
  }
}
