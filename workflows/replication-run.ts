import { patched } from '@temporalio/workflow';
import type { ExecutionSummary, ReplicationRunInput } from '../contract/index.js';
import { legacyReplicationRun } from './legacy/replication-run.js';
import { patches } from './patches.js';
import { runPolicy } from './run-policy.js';

/**
 * One execution of one policy (run-policy.ts). Runs started before pages were copied in batches
 * replay the run as it was then (legacy/), and finish there.
 */
export async function replicationRun(input: ReplicationRunInput): Promise<ExecutionSummary> {
  return patched(patches.batchedPages) ? runPolicy(input) : legacyReplicationRun(input);
}
