import type { BlobWriter, BlobWriterOptions, UploadState } from '../blob-writer.js';
import type { Descriptor } from '../manifest.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import { fanOutBlob, type FanOutSink } from './blob-fanout.js';
import { throwIfAborted } from './copy-steps.js';
import type { BlobUpload, CopyInput } from './copy-types.js';
import { forEachBounded } from './for-each-bounded.js';
import { keepTogether } from './keep-together.js';
import type { ProgressMeter } from './progress-meter.js';
import type { StallWatch } from './stall-watch.js';
import type { TargetRun } from './target-run.js';

/** Blobs larger than this go in resumable chunks of this size, unless the copy says otherwise. */
export const defaultChunkSize = 8 * 1024 * 1024;

/** A blob at a target repository, as the shared state of a batch knows it. */
function presentKey(run: TargetRun, digest: string): string {
  return `${run.target.client.registry}/${run.target.repository}@${digest}`;
}

function uploadOf(run: TargetRun, blob: Descriptor): BlobUpload {
  return { registry: run.target.client.registry, repository: run.target.repository, digest: blob.digest };
}

interface PreparedSink {
  run: TargetRun;
  sink: FanOutSink;
  writer: BlobWriter;
}

/** HEAD, then the upload an earlier attempt left, then mount, else a new upload session. */
async function prepareBlob(
  run: TargetRun,
  blob: Descriptor,
  input: CopyInput,
): Promise<PreparedSink | undefined> {
  const { client, repository } = run.target;
  const { signal, watch } = run;
  const upload = uploadOf(run, blob);
  const known = presentKey(run, blob.digest);
  if (input.shared?.presentBlobs.has(known) || (await client.headBlob(repository, blob.digest, { signal }))) {
    input.shared?.presentBlobs.add(known);
    run.result.blobsSkipped++;
    input.uploads?.checkpoint(upload, undefined);
    return undefined;
  }
  const chunkSize = input.chunkSize ?? defaultChunkSize;
  const chunked = input.chunked === true || blob.size > chunkSize;
  const writer = (location: string, offset?: number) => {
    const options: BlobWriterOptions = {
      signal,
      onProgress: () => watch.progress(),
      ...(chunked
        ? {
            chunkSize,
            offset,
            onCheckpoint: (state: UploadState) => input.uploads?.checkpoint(upload, state),
          }
        : {}),
    };
    const created = client.blobWriter(repository, blob, location, options);
    return { run, sink: { writer: created, watch, signal }, writer: created };
  };
  const earlier = chunked ? input.uploads?.resumeFrom(upload) : undefined;
  if (earlier) {
    // OCI: the registry says how much of the session it holds; the upload goes on from there.
    const status = await client.uploadStatus(repository, earlier.location, { signal });
    if (status) return writer(status.location, status.offset);
    input.uploads?.checkpoint(upload, undefined);
  }
  const sameRegistry = client === input.source.client && repository !== input.source.repository;
  const from =
    client.blobLocations.elsewhere(blob.digest, repository) ??
    (sameRegistry ? input.source.repository : undefined);
  let start = from
    ? await client
        .startUpload(repository, { signal, mount: { digest: blob.digest, from } })
        .catch(() => undefined)
    : undefined;
  if (start?.mounted) {
    input.shared?.presentBlobs.add(known);
    run.result.blobsMounted++;
    return undefined;
  }
  start ??= await client.startUpload(repository, { signal });
  if (start.mounted) return undefined;
  return writer(start.location);
}

/** What a blob's fan-out did for one target, once its sink is done. */
function record({ run, sink, writer }: PreparedSink, blob: Descriptor, phase: BlobPhase): void {
  const { input } = phase;
  const { client, repository } = run.target;
  const upload = uploadOf(run, blob);
  if (sink.error !== undefined) {
    run.fail(sink.error);
    // An upload kept for resuming stays checkpointed; a dropped one is forgotten.
    if (!run.result.error?.retryable) input.uploads?.checkpoint(upload, undefined);
    release(phase, run, blob, false);
    return;
  }
  run.result.blobsUploaded++;
  run.result.bytesUploaded += writer.bytesUploaded;
  client.blobLocations.remember(blob.digest, repository);
  input.shared?.presentBlobs.add(presentKey(run, blob.digest));
  input.uploads?.checkpoint(upload, undefined);
  release(phase, run, blob, true);
}

/** Waits another copy of the worker out before placing the same blob again, this many times. */
const maxPlacementWaits = 2;

/**
 * The runs that still need `blob` once the worker's other copies placing it at the same
 * repositories are done: a run whose blob another copy put there skips it. Each run left holds
 * the claim to its repository's blob (when free) until its own outcome settles it.
 */
async function unplaced(runs: TargetRun[], blob: Descriptor, phase: BlobPhase): Promise<TargetRun[]> {
  const { placements, shared } = phase.input;
  if (!placements) return runs;
  const left = await Promise.all(
    runs.map(async (run) => {
      const key = presentKey(run, blob.digest);
      for (let waits = 0; ; waits++) {
        const claim = placements.claim(key);
        if (claim) {
          phase.claims.set(key, claim);
          return run;
        }
        if (waits === maxPlacementWaits) return run;
        // Not armed: waiting on another copy is not this target stalling.
        if (await placements.placed(key, run.signal)) {
          shared?.presentBlobs.add(key);
          run.result.blobsSkipped++;
          return undefined;
        }
        if (run.signal.aborted) return run;
      }
    }),
  );
  return left.filter((run) => run !== undefined);
}

/** Settles this copy's claim to the blob at the run's repository, if it holds one. */
function release(phase: BlobPhase, run: TargetRun, blob: Descriptor, placed: boolean): void {
  const key = presentKey(run, blob.digest);
  phase.claims.get(key)?.(placed);
  phase.claims.delete(key);
}

/** What the blob phase of one copy shares. */
export interface BlobPhase {
  input: CopyInput;
  sourceWatch: StallWatch;
  limiter: BandwidthLimiter | undefined;
  progress: ProgressMeter;
  /** Whether a target still needs the blob. */
  wants: (run: TargetRun, blob: Descriptor) => boolean;
  /** How long targets wait for a straggler before it goes on alone. */
  graceMs: number;
  /** The blobs this copy claimed in the worker's placements, by repository and digest. */
  claims: Map<string, (placed: boolean) => void>;
}

function fanOut(blob: Descriptor, sinks: FanOutSink[], phase: BlobPhase): Promise<void> {
  const { input } = phase;
  return fanOutBlob(input.source, blob, sinks, {
    limiter: phase.limiter,
    signal: input.signal,
    sourceWatch: phase.sourceWatch,
    detachAfterMs: phase.graceMs,
    onBytes: (bytes) => phase.progress.add(bytes),
  });
}

/** Records a blob's outcome for a target now, or once the target has finished it alone. */
function settle(entry: PreparedSink, blob: Descriptor, phase: BlobPhase): void {
  const { alone } = entry.sink;
  if (alone) entry.run.later.push(alone.then(() => record(entry, blob, phase)));
  else record(entry, blob, phase);
}

/** A blob for one target that was late to the others: read from the source for it alone. */
async function fanOutAlone(entry: PreparedSink, blob: Descriptor, phase: BlobPhase): Promise<void> {
  await fanOut(blob, [entry.sink], phase).catch((error: unknown) => {
    entry.sink.error ??= error;
  });
  if (entry.sink.alone) await entry.sink.alone;
  record(entry, blob, phase);
}

/**
 * Copies `blobs` to the targets that need them, `maxBlobsInFlight` at a time: each blob is read
 * from the source once for every target ready for it. A target still preparing (HEAD, upload
 * session) `graceMs` after the others were ready gets the blob from its own read once it is.
 */
export async function copyBlobs(runs: TargetRun[], blobs: Descriptor[], phase: BlobPhase): Promise<void> {
  const { input } = phase;
  await forEachBounded(blobs, input.maxBlobsInFlight ?? 4, async (blob) => {
    throwIfAborted(input.signal);
    const { done, late } = await keepTogether(
      await unplaced(
        runs.filter((run) => phase.wants(run, blob)),
        blob,
        phase,
      ),
      (run) => prepareBlob(run, blob, input),
      phase.graceMs,
    );
    // Without a sink the blob was there already (or mounted), or the target failed.
    for (const { run, value } of late)
      run.later.push(
        value.then((entry) =>
          entry ? fanOutAlone(entry, blob, phase) : release(phase, run, blob, !run.failed),
        ),
      );
    for (const { run, value } of done) if (!value) release(phase, run, blob, !run.failed);
    const prepared = done.flatMap(({ value }) => (value ? [value] : []));
    if (prepared.length === 0) {
      if (late.length === 0) phase.progress.add(blob.size);
      return;
    }
    await fanOut(
      blob,
      prepared.map(({ sink }) => sink),
      phase,
    );
    for (const entry of prepared) settle(entry, blob, phase);
  });
}
