import {
  ActivityFailure,
  WorkflowFailedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
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
import { NotFoundError } from '../store/index.js';
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

/** An audit that has its report, or one still running (its run id says where to ask again). */
export type DriftAuditState = { report: DriftReport } | { runId: string };

/** The report of a finished audit; a failed audit says why (never a secret). */
async function reportOf(handle: WorkflowHandle<DriftAuditWorkflow>, policyId: number): Promise<DriftReport> {
  try {
    return await handle.result();
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const failure = error.cause instanceof ActivityFailure ? (error.cause.cause ?? error.cause) : error.cause;
    throw new DriftAuditFailedError(
      `drift audit of policy ${policyId} failed: ${failure?.message ?? 'unknown'}`,
      { cause: error },
    );
  }
}

/**
 * Starts a drift audit, or joins the one running for the same policy and mode (concurrent
 * requests share it rather than each reading every registry again), and waits for its report at
 * most `waitMs`: an audit that outlives it is left running and answered with its run id.
 */
export async function runDriftAudit(
  client: Client,
  policy: PolicySnapshot,
  verify: VerifyMode,
  waitMs: number,
): Promise<DriftAuditState> {
  const handle = await client.workflow.start<DriftAuditWorkflow>(driftAuditType, {
    ...driftAuditOptions(policy, verify, 'requested'),
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  const bound = AbortSignal.timeout(waitMs);
  try {
    return { report: await client.withAbortSignal(bound, () => reportOf(handle, policy.id)) };
  } catch (error) {
    if (bound.aborted) return { runId: handle.firstExecutionRunId };
    throw error;
  }
}

/** One requested audit by its run id, without waiting: its report, or that it still runs. */
export async function readDriftAudit(
  client: Client,
  policyId: number,
  verify: VerifyMode,
  runId: string,
): Promise<DriftAuditState> {
  const handle = client.workflow.getHandle<DriftAuditWorkflow>(driftAuditId(policyId, verify), runId);
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return { runId };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new NotFoundError(`run_id: no ${verify} drift audit ${runId} of policy ${policyId}`);
    throw error;
  }
  return { report: await reportOf(handle, policyId) };
}

/** How many finished audits of a policy are looked at for the newest. */
const lastAuditScan = 200;

/**
 * The report of the newest audit of the policy that completed, requested or scheduled (of one
 * `verify` mode when given), read as the workflow's result; nothing is started.
 */
export async function lastDriftReport(
  client: Client,
  policyId: number,
  verify: VerifyMode | undefined,
): Promise<DriftReport | undefined> {
  const prefix = verify === undefined ? undefined : driftAuditId(policyId, verify);
  const finished: Array<{ workflowId: string; runId: string; closeTime: number }> = [];
  const query = `WorkflowType = '${driftAuditType}' AND ${policyIdKey.name} = ${policyId} AND ExecutionStatus = 'Completed'`;
  let scanned = 0;
  for await (const execution of client.workflow.list({ query, pageSize: 100 })) {
    // Scheduled audits have the schedule's time appended to the id.
    const id = execution.workflowId;
    if (prefix === undefined || id === prefix || id.startsWith(`${prefix}-`)) {
      finished.push({
        workflowId: execution.workflowId,
        runId: execution.runId,
        closeTime: execution.closeTime?.getTime() ?? 0,
      });
    }
    if (++scanned >= lastAuditScan) break;
  }
  const newest = finished.sort((a, b) => b.closeTime - a.closeTime)[0];
  if (!newest) return undefined;
  return client.workflow.getHandle<DriftAuditWorkflow>(newest.workflowId, newest.runId).result();
}
