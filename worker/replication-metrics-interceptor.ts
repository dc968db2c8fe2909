import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory, ActivityInboundCallsInterceptor } from '@temporalio/worker';
import type { FindUpToDateInput, UpToDateTask } from '../activities/find-up-to-date.js';
import type {
  ReplicateArtifactInput,
  ReplicateArtifactResult,
} from '../activities/replication-activity-types.js';
import {
  artifactsTotal,
  bytesTotal,
  failuresTotal,
  pushToSiteSeconds,
} from '../temporal/replication-metrics.js';
import {
  failedReplicationOutcomes,
  failureReason,
  replicationOutcomes,
  upToDateFailures,
  upToDateOutcomes,
  type DestinationFailure,
  type DestinationOutcome,
} from './destination-outcomes.js';
import type { RegistryNames } from './registry-names.js';

/** What an observed activity attempt did, per destination; `pushedAt` for push-to-site latency. */
interface Observation {
  outcomes: DestinationOutcome[];
  failures: DestinationFailure[];
  pushedAt?: number;
}

/** How an activity's input and result (or failure reason) become an observation. */
interface ActivityObserver {
  succeeded(input: unknown, result: unknown): Observation;
  failed(input: unknown, reason: string): Observation;
}

const pushTime = (input: ReplicateArtifactInput) => {
  const time = input.eventTime === undefined ? NaN : Date.parse(input.eventTime);
  return Number.isFinite(time) ? { pushedAt: time } : {};
};

const observers: Record<string, ActivityObserver> = {
  replicateArtifact: {
    succeeded: (input, result) => ({
      outcomes: replicationOutcomes(input as ReplicateArtifactInput, result as ReplicateArtifactResult),
      failures: [],
      ...pushTime(input as ReplicateArtifactInput),
    }),
    failed: (input, reason) => ({
      outcomes: failedReplicationOutcomes(input as ReplicateArtifactInput, reason),
      failures: [],
    }),
  },
  findUpToDate: {
    succeeded: (input, result) => ({
      outcomes: upToDateOutcomes(input as FindUpToDateInput, result as UpToDateTask[]),
      failures: [],
    }),
    failed: (input, reason) => ({
      outcomes: [],
      failures: upToDateFailures(input as FindUpToDateInput, reason),
    }),
  },
};

/** A plan writes nothing, so it is not counted as replication. */
const isDryRun = (input: unknown) =>
  (input as Partial<ReplicateArtifactInput | FindUpToDateInput> | undefined)?.dryRun === true;

async function record(context: Context, names: RegistryNames, observation: Observation): Promise<void> {
  const meter = context.metricMeter;
  const artifacts = meter.createCounter(artifactsTotal.name, artifactsTotal.unit, artifactsTotal.description);
  const bytes = meter.createCounter(bytesTotal.name, bytesTotal.unit, bytesTotal.description);
  const failures = meter.createCounter(failuresTotal.name, failuresTotal.unit, failuresTotal.description);
  const pushToSite = meter.createHistogram(
    pushToSiteSeconds.name,
    'float',
    pushToSiteSeconds.unit,
    pushToSiteSeconds.description,
  );
  for (const outcome of observation.outcomes) {
    const destination = await names.nameOf(outcome.registryId);
    artifacts.add(1, { destination, operation: outcome.operation, outcome: outcome.outcome });
    if (outcome.bytes !== undefined) bytes.add(outcome.bytes, { destination });
    if (outcome.reason) failures.add(1, { destination, reason: outcome.reason });
    // A registry clock ahead of ours would make the latency negative: it is at most zero then.
    if (outcome.ok && observation.pushedAt !== undefined)
      pushToSite.record(Math.max(0, (Date.now() - observation.pushedAt) / 1000), { destination });
  }
  for (const failure of observation.failures)
    failures.add(1, { destination: await names.nameOf(failure.registryId), reason: failure.reason });
}

/**
 * Counts what `replicateArtifact` and `findUpToDate` did at each destination, from their inputs and
 * results, on the activity's metric meter (served by the worker's Prometheus endpoint). Every
 * attempt counts: a failed attempt that Temporal or the run retries counts again.
 */
export function replicationMetricsInterceptor(names: RegistryNames): ActivityInterceptorsFactory {
  return (context) => {
    const observer = observers[context.info.activityType];
    if (!observer) return {};
    const observe = (observation: Observation) =>
      record(context, names, observation).catch((error: unknown) =>
        context.log.warn('replication metrics not recorded', { error }),
      );
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        const [activityInput] = input.args;
        if (isDryRun(activityInput)) return next(input);
        let result: unknown;
        try {
          result = await next(input);
        } catch (error) {
          const reason = failureReason(error);
          if (reason !== undefined) await observe(observer.failed(activityInput, reason));
          throw error;
        }
        await observe(observer.succeeded(activityInput, result));
        return result;
      },
    };
    return { inbound };
  };
}
