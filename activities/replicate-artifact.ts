import { Context } from '@temporalio/activity';
import {
  copyArtifact,
  type BlobPlacements,
  planCopy,
  type CopyProgress,
  type RegistryClient,
  type SharedCopyState,
  type UploadCheckpoints,
} from '../registry/index.js';
import type {
  DestinationResult,
  ReplicateArtifactInput,
  ReplicateArtifactResult,
} from '../contract/index.js';
import { copyHeartbeat } from './copy-heartbeat.js';
import type { CopySettings } from './copy-settings.js';
import { failedDestination } from './failed-destination.js';
import type { RegistryClients } from './registry-clients.js';
import type { UploadSessions } from './upload-sessions.js';

function outcomeOf(
  status: 'copied' | 'skipped' | 'conflict' | 'superseded',
  dryRun = false,
): DestinationResult['outcome'] {
  if (status === 'conflict') return 'kept';
  return status === 'copied' && dryRun ? 'would_copy' : status;
}

type Resolved = { registryId: number; repository: string; client: RegistryClient } | DestinationResult;

async function resolveDestinations(
  clients: RegistryClients,
  input: ReplicateArtifactInput,
): Promise<Resolved[]> {
  return Promise.all(
    input.destinations.map(async ({ registryId, repository }): Promise<Resolved> => {
      try {
        return { registryId, repository, client: await clients.get(registryId) };
      } catch (error) {
        return failedDestination(registryId, repository, error);
      }
    }),
  );
}
/**
 * How a copy runs inside an activity: its signal, where its progress goes, where its chunked
 * uploads stand (kept in the activity's heartbeats), what it shares with its batch and its worker.
 */
export interface CopyContext {
  signal: AbortSignal;
  onProgress: (progress: CopyProgress) => void;
  uploads?: UploadCheckpoints;
  shared?: SharedCopyState;
  placements?: BlobPlacements;
}

/** What the copies of a worker share across activities: the upload sessions left open, the blobs being placed. */
export interface WorkerCopies {
  sessions: UploadSessions;
  placements: BlobPlacements;
}

/**
 * Copies one artifact to every destination in one pass: each blob is read from the source once
 * and streamed to all destinations that lack it. A destination that fails does not fail the others;
 * its error comes back in the result so the workflow retries only that destination. A dry run
 * plans the same copy without writing. An artifact the enumeration could not read fails at every
 * destination with the enumeration's error.
 */
export async function replicateArtifact(
  clients: RegistryClients,
  input: ReplicateArtifactInput,
  settings: CopySettings,
  { sessions, placements }: WorkerCopies,
): Promise<ReplicateArtifactResult> {
  const context = Context.current();
  const heartbeat = copyHeartbeat(context, sessions);
  try {
    return await copyToDestinations(clients, input, settings, {
      signal: context.cancellationSignal,
      placements,
      uploads: heartbeat.uploads,
      onProgress: (update) => heartbeat.progress(update),
    });
  } finally {
    heartbeat.stop();
  }
}

/** The copy of one artifact to its destinations, as `replicateArtifact` and `copyBatch` make it. */
export async function copyToDestinations(
  clients: RegistryClients,
  input: ReplicateArtifactInput,
  settings: CopySettings,
  run: CopyContext,
): Promise<ReplicateArtifactResult> {
  // The enumeration could not read it (a named repository the source does not have): nothing to copy.
  const unreadable = input.artifact.error;
  if (unreadable) {
    return {
      destinations: input.destinations.map(({ registryId, repository }) =>
        failedDestination(registryId, repository, { ...unreadable, retryable: false }),
      ),
    };
  }
  const source = await clients.get(input.sourceRegistryId);
  const resolved = await resolveDestinations(clients, input);
  const targets = resolved.flatMap((entry, index) =>
    'client' in entry
      ? [
          {
            id: String(index),
            client: entry.client,
            repository: entry.repository,
            tag: input.artifact.tag,
            ...(input.destinations[index]!.stale ? { stale: true } : {}),
          },
        ]
      : [],
  );

  const copy = await (input.dryRun ? planCopy : copyArtifact)({
    source: {
      client: source,
      repository: input.artifact.repository,
      reference: input.artifact.tag ?? input.artifact.digest!,
    },
    targets,
    override: input.override,
    platforms: input.platforms,
    referrers: input.replicateReferrers,
    bytesPerSecond: input.bytesPerSecond,
    chunked: input.chunked,
    maxBlobsInFlight: settings.blobConcurrency,
    stallTimeoutMs: settings.stallTimeoutMs,
    signal: run.signal,
    onProgress: run.onProgress,
    ...(run.uploads ? { uploads: run.uploads } : {}),
    ...(run.shared ? { shared: run.shared } : {}),
    ...(run.placements ? { placements: run.placements } : {}),
  });
  const byId = new Map(copy.targets.map((target) => [target.id, target]));
  const destinations = resolved.map((entry, index): DestinationResult => {
    if (!('client' in entry)) return entry;
    const target = byId.get(String(index));
    if (!target)
      return failedDestination(entry.registryId, entry.repository, new Error('the copy returned no result'));
    if (target.status === 'failed')
      return {
        ...failedDestination(entry.registryId, entry.repository, target.error),
        bytes: target.bytesUploaded,
      };
    return {
      registryId: entry.registryId,
      repository: entry.repository,
      ok: true,
      outcome: outcomeOf(target.status, input.dryRun),
      digest: target.digest ?? copy.digest,
      bytes: target.bytesUploaded,
      ...(target.note ? { note: target.note } : {}),
    };
  });
  return { digest: copy.digest, destinations };
}
