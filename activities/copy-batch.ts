import { Context } from '@temporalio/activity';
import type {
  CopyBatchInput,
  CopyBatchItem,
  CopyBatchResult,
  DestinationResult,
  ReplicateArtifactInput,
  TaskResult,
} from '../contract/index.js';
import { BandwidthLimiter, forEachBounded, type SharedCopyState } from '../registry/index.js';
import { copyHeartbeat } from './copy-heartbeat.js';
import { CopyRamp } from './copy-ramp.js';
import type { CopySettings } from './copy-settings.js';
import { deleteArtifact } from './delete-artifact.js';
import { failedDestination } from './failed-destination.js';
import { checkUpToDate } from './find-up-to-date.js';
import { eachOnce, type RegistryClients } from './registry-clients.js';
import { copyToDestinations, type WorkerCopies } from './replicate-artifact.js';

/** Artifacts of a batch copied at once; each copy has its own blobs in flight. */
export const artifactsInFlight = 8;
/** How often a batch reports progress, so a stop or a lost worker is noticed within seconds. */
const heartbeatEveryMs = 1_000;
/** How long a copy waits for the one before it to move bytes before it starts anyway. */
const rampStepMs = 100;

/** The per-artifact input of one item: the batch's settings, this artifact and its targets. */
export function itemInput(input: CopyBatchInput, item: CopyBatchItem): ReplicateArtifactInput {
  return {
    sourceRegistryId: input.sourceRegistryId,
    artifact: item.artifact,
    destinations: item.targets.map(({ registryId, repository, stale }) => ({
      registryId,
      repository,
      ...(stale ? { stale } : {}),
    })),
    operation: input.operation,
    override: input.override,
    ...(input.platforms ? { platforms: input.platforms } : {}),
    replicateReferrers: input.replicateReferrers,
    ...(input.bytesPerSecond ? { bytesPerSecond: input.bytesPerSecond } : {}),
    ...(input.chunked ? { chunked: true } : {}),
    ...(input.dryRun ? { dryRun: true } : {}),
    ...(input.eventTime ? { eventTime: input.eventTime } : {}),
  };
}

function byTask(item: CopyBatchItem, destinations: readonly DestinationResult[]): TaskResult[] {
  return item.targets.map((target, index) => {
    const { registryId: _registryId, repository: _repository, ...result } = destinations[index]!;
    return { taskId: target.taskId, ...result };
  });
}

/**
 * Copies (or deletes) the artifacts of a batch at all their destinations, `artifactsInFlight` at
 * a time, in one activity: the tasks already in place are found first with HEADs only (for an
 * enumerated run), then each remaining artifact is copied with its source read once for all its
 * destinations. The copies share what they learn, so many tags of one image read its manifest
 * once and check each blob once per destination repository. A destination that fails comes back
 * in its task's result, for the workflow to try again; the activity fails only when it cannot
 * work at all (the source registry unknown, say). Chunked uploads it leaves open are kept in
 * the worker's `sessions`, for the batch that tries them again on this worker; a blob another
 * batch of the worker is placing at the same repository is waited for, not read again.
 */
export async function copyBatch(
  storeClients: RegistryClients,
  input: CopyBatchInput,
  settings: CopySettings,
  { sessions, placements }: WorkerCopies,
): Promise<CopyBatchResult> {
  // Each registry looked up (in the store, its secret opened) once per batch, not once per artifact.
  const clients = eachOnce(storeClients);
  const context = Context.current();
  const signal = context.cancellationSignal;
  const results: TaskResult[] = [];
  const shared: SharedCopyState = {
    limiter: input.bytesPerSecond ? new BandwidthLimiter(input.bytesPerSecond) : undefined,
    sourceDigests: new Map(),
    trees: new Map(),
    presentBlobs: new Set(),
  };
  let pending = input.items;
  // The page's check read these already; the copies read each tree by digest, once per batch.
  for (const { artifact, sourceDigest } of input.items)
    if (sourceDigest)
      shared.sourceDigests.set(`${artifact.repository}:${artifact.tag ?? artifact.digest}`, sourceDigest);
  const bytes = new Map<CopyBatchItem, number>();
  let copied = 0;
  // Chunked uploads in progress travel in the heartbeats, so a retried batch resumes them.
  const heartbeat = copyHeartbeat(context, sessions);
  const ticker = setInterval(() => {
    let moved = 0;
    for (const count of bytes.values()) moved += count;
    heartbeat.progress({ bytesDone: moved, bytesTotal: 0, artifacts: copied, of: pending.length });
  }, heartbeatEveryMs);

  try {
    // A platform subset is a new index and referrers may have come since: only the copy can tell.
    if (
      input.checkUpToDate &&
      input.operation === 'copy' &&
      !input.platforms?.length &&
      !input.replicateReferrers
    ) {
      const { found, sourceDigests } = await checkUpToDate(clients, {
        sourceRegistryId: input.sourceRegistryId,
        checks: input.items,
        override: input.override,
        ...(input.dryRun ? { dryRun: true } : {}),
      });
      for (const [reference, digest] of sourceDigests) shared.sourceDigests.set(reference, digest);
      const done = new Set(found.map((task) => task.taskId));
      results.push(
        ...found.map(({ taskId, outcome, digest }) => ({ taskId, ok: true, outcome, digest, bytes: 0 })),
      );
      pending = input.items
        .map((item) => ({ ...item, targets: item.targets.filter((target) => !done.has(target.taskId)) }))
        .filter((item) => item.targets.length > 0);
    }

    // Copies that move bytes start one after another (CopyRamp); deletions and dry runs, which
    // move none, all at once.
    const ramp = input.operation === 'copy' && !input.dryRun ? new CopyRamp(rampStepMs) : undefined;
    await forEachBounded(pending, artifactsInFlight, async (item) => {
      const one = itemInput(input, item);
      const letNextStart = ramp ? await ramp.turn() : undefined;
      try {
        const result =
          input.operation === 'delete'
            ? await deleteArtifact(clients, one)
            : await copyToDestinations(clients, one, settings, {
                signal,
                shared,
                placements,
                uploads: heartbeat.uploads,
                onProgress: (progress) => {
                  bytes.set(item, progress.bytesDone);
                  if (progress.bytesDone > 0) letNextStart?.();
                },
              });
        results.push(...byTask(item, result.destinations));
      } catch (error) {
        // A stop ends the batch; anything else (its tag gone at the source, say) fails this artifact only.
        if (signal.aborted) throw error;
        results.push(
          ...byTask(
            item,
            item.targets.map(({ registryId, repository }) =>
              failedDestination(registryId, repository, error),
            ),
          ),
        );
      } finally {
        letNextStart?.();
      }
      copied++;
    });
  } finally {
    clearInterval(ticker);
    heartbeat.stop();
  }
  return { results };
}
