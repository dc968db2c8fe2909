import { Context } from '@temporalio/activity';
import {
  artifactsTotal,
  bytesTotal,
  failuresTotal,
  pushToSiteSeconds,
  type CopyBatchInput,
  type CopyBatchResult,
  type FindUpToDateInput,
  type InPlaceResult,
  type ReplicateArtifactInput,
  type ReplicateArtifactResult,
  type UpToDateTask,
} from '../contract/index.js';
import {
  batchOutcomes,
  failedBatchOutcomes,
  failedReplicationOutcomes,
  failureReason,
  replicationOutcomes,
  upToDateFailures,
  upToDateOutcomes,
  type DestinationFailure,
  type DestinationOutcome,
} from './destination-outcomes.js';
import type { ListedCheck } from './find-up-to-date.js';

/** What an activity attempt did, per destination; `pushedAt` for push-to-site latency. */
interface Observation {
  outcomes: DestinationOutcome[];
  failures: DestinationFailure[];
  pushedAt?: number;
}

function pushTime(input: ReplicateArtifactInput): { pushedAt?: number } {
  const time = input.eventTime === undefined ? NaN : Date.parse(input.eventTime);
  return Number.isFinite(time) ? { pushedAt: time } : {};
}

/**
 * The replication metrics, counted from what `replicateArtifact`, `copyBatch`, `findUpToDate` and
 * `checkInPlace` return (or why they failed), on the activity's metric meter, which the worker's
 * Prometheus endpoint serves. Every attempt counts: one that Temporal or the run retries counts again. A plan (dry
 * run) writes nothing and is not counted. `nameOf` labels destinations without reading the store.
 */
export function createReplicationMeter(nameOf: (registryId: number) => string) {
  const record = ({ outcomes, failures, pushedAt }: Observation) => {
    const meter = Context.current().metricMeter;
    const artifacts = meter.createCounter(
      artifactsTotal.name,
      artifactsTotal.unit,
      artifactsTotal.description,
    );
    const bytes = meter.createCounter(bytesTotal.name, bytesTotal.unit, bytesTotal.description);
    const failed = meter.createCounter(failuresTotal.name, failuresTotal.unit, failuresTotal.description);
    const pushToSite = meter.createHistogram(
      pushToSiteSeconds.name,
      'float',
      pushToSiteSeconds.unit,
      pushToSiteSeconds.description,
    );
    for (const outcome of outcomes) {
      const destination = nameOf(outcome.registryId);
      artifacts.add(1, { destination, operation: outcome.operation, outcome: outcome.outcome });
      if (outcome.bytes !== undefined) bytes.add(outcome.bytes, { destination });
      if (outcome.reason) failed.add(1, { destination, reason: outcome.reason });
      // A registry clock ahead of ours would make the latency negative: it is at most zero then.
      if (outcome.ok && pushedAt !== undefined)
        pushToSite.record(Math.max(0, (Date.now() - pushedAt) / 1000), { destination });
    }
    for (const failure of failures)
      failed.add(1, { destination: nameOf(failure.registryId), reason: failure.reason });
  };

  /** Runs one attempt and records what it did; a failed attempt counts with its reason, a stop does not. */
  async function observe<T>(
    attempt: () => Promise<T>,
    succeeded: (result: T) => Observation,
    failed: (reason: string) => Observation,
  ): Promise<T> {
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      const reason = failureReason(error);
      if (reason !== undefined) record(failed(reason));
      throw error;
    }
    record(succeeded(result));
    return result;
  }

  const inPlace = (
    input: FindUpToDateInput,
    attempt: () => Promise<InPlaceResult>,
  ): Promise<InPlaceResult> => {
    if (input.dryRun) return attempt();
    return observe(
      attempt,
      (result) => ({ outcomes: upToDateOutcomes(input, result.found), failures: [] }),
      (reason) => ({ outcomes: [], failures: upToDateFailures(input, reason) }),
    );
  };
  return {
    replication(
      input: ReplicateArtifactInput,
      attempt: () => Promise<ReplicateArtifactResult>,
    ): Promise<ReplicateArtifactResult> {
      if (input.dryRun) return attempt();
      return observe(
        attempt,
        (result) => ({ outcomes: replicationOutcomes(input, result), failures: [], ...pushTime(input) }),
        (reason) => ({ outcomes: failedReplicationOutcomes(input, reason), failures: [] }),
      );
    },

    batch(input: CopyBatchInput, attempt: () => Promise<CopyBatchResult>): Promise<CopyBatchResult> {
      if (input.dryRun) return attempt();
      const pushedAt = input.eventTime === undefined ? NaN : Date.parse(input.eventTime);
      return observe(
        attempt,
        (result) => ({
          outcomes: batchOutcomes(input, result),
          failures: [],
          ...(Number.isFinite(pushedAt) ? { pushedAt } : {}),
        }),
        (reason) => ({ outcomes: failedBatchOutcomes(input, reason), failures: [] }),
      );
    },

    upToDate(input: FindUpToDateInput, attempt: () => Promise<UpToDateTask[]>): Promise<UpToDateTask[]> {
      if (input.dryRun) return attempt();
      return observe(
        attempt,
        (found) => ({ outcomes: upToDateOutcomes(input, found), failures: [] }),
        (reason) => ({ outcomes: [], failures: upToDateFailures(input, reason) }),
      );
    },

    inPlace,

    /** A check made as a page was listed, counted as `checkInPlace` when its result is in. */
    listed(input: Omit<FindUpToDateInput, 'checks'>, check: ListedCheck): ListedCheck {
      return {
        checks: check.checks,
        add: (item) => check.add(item),
        abandon: () => check.abandon(),
        result: () => inPlace({ ...input, checks: [...check.checks] }, () => check.result()),
      };
    },
  };
}
