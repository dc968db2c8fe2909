import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { CopyProgress } from '../../registry/index.js';
import { eventually } from './eventually.js';

/** The progress a running `replicateArtifact` last heartbeated, as Temporal recorded it. */
async function heartbeatedProgress(handle: WorkflowHandle): Promise<CopyProgress | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  const copying = pending.find((activity) => activity.activityType?.name === 'replicateArtifact');
  const payload = copying?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<CopyProgress>(payload) : undefined;
}

/**
 * Waits (bounded) until a copy in the workflow (a run's page) has moved some bytes but not all:
 * the moment "mid-blob" means, read from the heartbeats Temporal holds, not guessed with a sleep.
 */
export function midCopy(handle: WorkflowHandle, timeoutMs = 60_000): Promise<CopyProgress> {
  return eventually(
    async () => {
      const progress = await heartbeatedProgress(handle);
      return progress && progress.bytesDone > 0 && progress.bytesDone < progress.bytesTotal && progress;
    },
    timeoutMs,
    `a copy in ${handle.workflowId} to be under way`,
    200,
  );
}
