import {
  isCancellation,
  metricMeter,
  TemporalFailure,
  workflowInfo,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import {
  replicationRunType,
  runDurationSeconds,
  type ExecutionStatus,
  type ExecutionSummary,
  type ReplicationRunInput,
} from '../contract/index.js';

/**
 * Records how long each replication run took, by policy, trigger and how it ended, when it ends.
 * The workflow meter records nothing while replaying, so a run resumed on another worker counts once.
 * Dry runs are plans, not replication, and are left out.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        const info = workflowInfo();
        const run = input.args[0] as ReplicationRunInput | undefined;
        if (info.workflowType !== replicationRunType || !run || run.dryRun) return next(input);
        const ended = (status: ExecutionStatus) =>
          metricMeter
            .createHistogram(
              runDurationSeconds.name,
              'float',
              runDurationSeconds.unit,
              runDurationSeconds.description,
            )
            .record((Date.now() - info.runStartTime.getTime()) / 1000, {
              policy: run.policy.name,
              trigger: run.trigger,
              status,
            });
        try {
          const summary = (await next(input)) as ExecutionSummary;
          ended(summary.status);
          return summary;
        } catch (error) {
          if (isCancellation(error)) ended('Stopped');
          // Any other error fails only the workflow task, which Temporal retries: the run goes on.
          else if (error instanceof TemporalFailure) ended('Failed');
          throw error;
        }
      },
    },
  ],
});
