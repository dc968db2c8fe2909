import {
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import {
  policyIdKey,
  policyNameKey,
  replicationRunType,
  repositoryKey,
  taskQueue,
  triggerKey,
  type Artifact,
  type Operation,
  type ReplicationRunWorkflow,
  type Trigger,
} from '../contract/index.js';
import type { PolicySnapshot } from '../policies/index.js';
import { runSummary } from './run-identity.js';

export interface StartReplicationRunInput {
  client: Client;
  workflowId: string;
  policy: PolicySnapshot;
  trigger: Trigger;
  artifacts?: Artifact[];
  operation?: Operation;
  skipReason?: string;
  /** Plan only; marked in the run's memo so its execution says `dry_run` from the start. */
  dryRun?: boolean;
  eventTime?: string;
}

/** The start options every run shares, schedules included: queue, search attributes, UI summary. */
export function replicationRunOptions(policy: PolicySnapshot, trigger: Trigger, artifacts?: Artifact[]) {
  const repositories = [...new Set(artifacts?.map((artifact) => artifact.repository) ?? [])].slice(0, 20);
  return {
    taskQueue,
    staticSummary: runSummary(policy, trigger, artifacts),
    typedSearchAttributes: [
      { key: policyIdKey, value: policy.id },
      { key: policyNameKey, value: policy.name },
      { key: triggerKey, value: trigger },
      ...(repositories.length ? [{ key: repositoryKey, value: repositories }] : []),
    ],
  };
}

/**
 * Starts a run. Event runs have one id per event (run-identity.ts): a duplicate delivery finds its
 * run going (and joins it) or done (and is refused, WorkflowExecutionAlreadyStartedError), unless
 * that run failed: then the event is replicated again.
 */
export async function startReplicationRun(
  input: StartReplicationRunInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<ReplicationRunWorkflow>> {
  const options = replicationRunOptions(input.policy, input.trigger, input.artifacts);
  return input.client.workflow.start<ReplicationRunWorkflow>(replicationRunType, {
    ...options,
    workflowId: input.workflowId,
    args: [
      {
        policy: input.policy,
        trigger: input.trigger,
        artifacts: input.artifacts,
        operation: input.operation ?? 'copy',
        ...(input.skipReason ? { skipReason: input.skipReason } : {}),
        ...(input.dryRun ? { dryRun: true } : {}),
        ...(input.eventTime ? { eventTime: input.eventTime } : {}),
      },
    ],
    ...(input.dryRun ? { memo: { dryRun: true } } : {}),
    ...(input.trigger === 'event_based'
      ? {
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          workflowIdConflictPolicy: 'USE_EXISTING' as const,
        }
      : {}),
  });
}
