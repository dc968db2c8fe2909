import type { Client } from '@temporalio/client';
import { driftAuditType, policyIdKey, type DriftReport } from '../contract/index.js';

const auditsCompared = 10;

/**
 * The report of the policy's newest completed drift audit, requested or scheduled, in any verify
 * mode; undefined when none completed (or Temporal's retention forgot them). Found through
 * Temporal's visibility, which may lag a second behind an audit that just ended.
 */
export async function latestDriftReport(client: Client, policyId: number): Promise<DriftReport | undefined> {
  const query = `${policyIdKey.name} = ${policyId} AND WorkflowType = '${driftAuditType}' AND ExecutionStatus = 'Completed'`;
  let newest: { workflowId: string; runId: string; closeTime: number } | undefined;
  let seen = 0;
  // Visibility lists the newest started first; the few newest cover audits that overlapped.
  for await (const execution of client.workflow.list({ query, pageSize: auditsCompared })) {
    const closeTime = execution.closeTime?.getTime() ?? 0;
    if (!newest || closeTime > newest.closeTime)
      newest = { workflowId: execution.workflowId, runId: execution.runId, closeTime };
    if (++seen === auditsCompared) break;
  }
  if (!newest) return undefined;
  return (await client.workflow.getHandle(newest.workflowId, newest.runId).result()) as DriftReport;
}
