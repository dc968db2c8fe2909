import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { eventually } from './eventually.js';

/**
 * What a copy heartbeats (activities/copy-heartbeat.ts): its bytes, for a batch its artifacts
 * done of how many, and where its chunked uploads stand, by `<registry>/<repository>@<digest>`.
 */
interface Heartbeat {
  bytesDone?: number;
  bytesTotal?: number;
  artifacts?: number;
  of?: number;
  uploads?: Record<string, { location: string; offset: number }>;
}

/** What a running copy activity (`copyBatch`, or `replicateArtifact` of older runs) last heartbeated. */
export async function heartbeatedProgress(handle: WorkflowHandle): Promise<Heartbeat | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  const copying = pending.find((activity) =>
    ['copyBatch', 'replicateArtifact'].includes(activity.activityType?.name ?? ''),
  );
  const payload = copying?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<Heartbeat>(payload) : undefined;
}

function underWay(progress: Heartbeat): boolean {
  const moved = progress.bytesDone ?? 0;
  // A batch does not know its total bytes up front: it is under way until its artifacts are done.
  if (progress.of !== undefined) return moved > 0 && (progress.artifacts ?? 0) < progress.of;
  return moved > 0 && moved < (progress.bytesTotal ?? 0);
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
