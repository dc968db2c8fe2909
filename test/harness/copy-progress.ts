import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { eventually } from './eventually.js';

/** What a copy heartbeats: a batch its artifacts and bytes so far, one artifact (legacy runs) its bytes of the total. */
interface Heartbeat {
  artifacts?: number;
  of?: number;
  bytes?: number;
  bytesDone?: number;
  bytesTotal?: number;
}

/** The progress a running copy activity (`copyBatch`, or `replicateArtifact` of older runs) last heartbeated. */
async function heartbeatedProgress(handle: WorkflowHandle): Promise<Heartbeat | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  const copying = pending.find((activity) =>
    ['copyBatch', 'replicateArtifact'].includes(activity.activityType?.name ?? ''),
  );
  const payload = copying?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<Heartbeat>(payload) : undefined;
}

function underWay(progress: Heartbeat): boolean {
  if (progress.bytesTotal !== undefined)
    return (progress.bytesDone ?? 0) > 0 && (progress.bytesDone ?? 0) < progress.bytesTotal;
  return (progress.bytes ?? 0) > 0 && (progress.artifacts ?? 0) < (progress.of ?? 0);
}

/**
 * Waits (bounded) until a copy in the workflow (a run, or a run's page) has moved some bytes but
 * not all: the moment "mid-copy" means, read from the heartbeats Temporal holds, not guessed with a sleep.
 */
export function midCopy(handle: WorkflowHandle, timeoutMs = 60_000): Promise<Heartbeat> {
  return eventually(
    async () => {
      const progress = await heartbeatedProgress(handle);
      return progress && underWay(progress) ? progress : undefined;
    },
    timeoutMs,
    `a copy in ${handle.workflowId} to be under way`,
    200,
  );
}
