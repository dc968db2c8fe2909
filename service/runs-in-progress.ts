import type { Client } from '@temporalio/client';
import { policyIdKey, replicationRunType } from '../contract/index.js';

/** Whether the policy has a run in progress, per Temporal's visibility (which may lag a second). */
export async function hasRunInProgress(client: Client, policyId: number): Promise<boolean> {
  const query = `${policyIdKey.name} = ${policyId} AND ExecutionStatus = 'Running' AND WorkflowType = '${replicationRunType}'`;
  for await (const _ of client.workflow.list({ query, pageSize: 1 })) return true;
  return false;
}
