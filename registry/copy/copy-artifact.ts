import { setMaxListeners } from 'node:events';
import type { BlobWriter, BlobWriterOptions, UploadState } from '../blob-writer.js';
import { RegistryStalledError } from '../errors.js';
import type { Descriptor } from '../manifest.js';
import { resolveArtifactTree, type ArtifactTree } from './artifact-tree.js';
import { BandwidthLimiter } from './bandwidth-limiter.js';
import {
  copyResult,
  decideTag,
  defaultStallTimeoutMs,
  throwIfAborted,
  validateCopyInput,
  wantsBlob,
} from './copy-steps.js';
import { fanOutBlob, type FanOutSink } from './blob-fanout.js';
import type { CopyInput, CopyResult, TargetResult } from './copy-types.js';
import { forEachBounded } from './for-each-bounded.js';
import { ProgressMeter } from './progress-meter.js';
import { pushManifests } from './push-manifests.js';
import { StallWatch } from './stall-watch.js';
import { sourceTagNow, supersede } from './tag-guard.js';
import { TargetRun } from './target-run.js';

/** Copies made again after the source's tag moved while it was being set, before the copy gives up. */
const maxChases = 2;

/** Blobs larger than this go in resumable chunks of this size, unless the copy says otherwise. */
export const defaultChunkSize = 8 * 1024 * 1024;

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
  const { client, repository, id } = run.target;
  const { signal, watch } = run;
  const known = presentKey(run, blob.digest);
  if (input.shared?.presentBlobs.has(known) || (await client.headBlob(repository, blob.digest, { signal }))) {
    input.shared?.presentBlobs.add(known);
    run.result.blobsSkipped++;
    input.uploads?.checkpoint(id, blob.digest, undefined);
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
            onCheckpoint: (state: UploadState) => input.uploads?.checkpoint(id, blob.digest, state),
          }
        : {}),
    };
    const created = client.blobWriter(repository, blob, location, options);
    return { run, sink: { writer: created, watch, signal }, writer: created };
  };
  const earlier = chunked ? input.uploads?.resumeFrom(id, blob.digest) : undefined;
  if (earlier) {
    // OCI: the registry says how much of the session it holds; the upload goes on from there.
    const status = await client.uploadStatus(repository, earlier.location, { signal });
    if (status) return writer(status.location, status.offset);
    input.uploads?.checkpoint(id, blob.digest, undefined);
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
function record({ run, sink, writer }: PreparedSink, blob: Descriptor, input: CopyInput): void {
  const { id, client, repository } = run.target;
  if (sink.error !== undefined) {
    run.fail(sink.error);
    // An upload kept for resuming stays checkpointed; a dropped one is forgotten.
    if (!run.result.error?.retryable) input.uploads?.checkpoint(id, blob.digest, undefined);
    return;
  }
  run.result.blobsUploaded++;
  run.result.bytesUploaded += writer.bytesUploaded;
  client.blobLocations.remember(blob.digest, repository);
  input.shared?.presentBlobs.add(presentKey(run, blob.digest));
  input.uploads?.checkpoint(id, blob.digest, undefined);
}

/**
 * Copies one artifact (by tag or digest) from a source repository to N targets: each blob is
 * read from the source once and streamed to every target that lacks it; manifests are copied
 * verbatim, children by digest and the top one (by tag) last, so no target ever serves a
 * manifest whose content is missing. A failing target does not fail the others. A tag is set only
 * while the source still points at what was copied (tag-guard.ts).
 */
export async function copyArtifact(input: CopyInput): Promise<CopyResult> {
  validateCopyInput(input);
  throwIfAborted(input.signal);
  // Every request of the copy listens on one signal; a private one keeps the caller's quiet.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', forward, { once: true });
  const stallTimeoutMs = input.stallTimeoutMs ?? defaultStallTimeoutMs;
  let stalled: RegistryStalledError | undefined;
  const sourceWatch = new StallWatch(stallTimeoutMs, () => {
    const { client, repository } = input.source;
    stalled = new RegistryStalledError(
      `the source ${client.registry} made no progress for ${Math.round(stallTimeoutMs / 1000)} s`,
      { registry: client.registry, repository },
    );
    controller.abort(stalled);
  });
  try {
    const signal = controller.signal;
    const first = await copyWith({ ...input, signal, stallTimeoutMs }, sourceWatch);
    let result = first.result;
    let moved = first.movedAfterSet;
    for (let chase = 1; moved.length > 0; chase++) {
      // The source moved while these targets' tags were set: set them again from the source.
      const targets = input.targets.filter((target) => moved.includes(target.id));
      if (chase > maxChases) {
        result = withTargets(result, moved, (target) => ({
          ...target,
          status: 'failed',
          error: {
            code: 'SOURCE_MOVING',
            message: 'the source tag kept moving while it was copied',
            retryable: true,
          },
        }));
        break;
      }
      const again = await copyWith({ ...input, targets, signal, stallTimeoutMs }, sourceWatch);
      const redone = new Map(again.result.targets.map((target) => [target.id, target]));
      result = withTargets(result, moved, (target) => addUp(target, redone.get(target.id)!));
      moved = again.movedAfterSet;
    }
    return result;
  } catch (error) {
    // Nothing of a failed copy goes on behind the caller's back (a blob finishing alone).
    controller.abort(error);
    throw stalled ?? error;
  } finally {
    input.signal?.removeEventListener('abort', forward);
  }
}

function withTargets(
  result: CopyResult,
  ids: readonly string[],
  change: (target: TargetResult) => TargetResult,
) {
  return {
    ...result,
    targets: result.targets.map((target) => (ids.includes(target.id) ? change(target) : target)),
  };
}

/** A target copied again: the second copy's outcome, with the work of both. */
function addUp(first: TargetResult, second: TargetResult): TargetResult {
  return {
    ...second,
    bytesUploaded: first.bytesUploaded + second.bytesUploaded,
    blobsSkipped: first.blobsSkipped + second.blobsSkipped,
    blobsMounted: first.blobsMounted + second.blobsMounted,
    blobsUploaded: first.blobsUploaded + second.blobsUploaded,
  };
}

/** A blob at a target repository, as the shared state of a batch knows it. */
function presentKey(run: TargetRun, digest: string): string {
  return `${run.target.client.registry}/${run.target.repository}@${digest}`;
}

/**
 * The source's tree: read once per digest for a batch when the caller knows the digest the tag
 * points to (many tags of one image), else read by the reference.
 */
function sourceTree(input: CopyInput): Promise<ArtifactTree> {
  const { client, repository, reference } = input.source;
  const options = { platforms: input.platforms, referrers: input.referrers, signal: input.signal };
  const digest = input.shared?.sourceDigests.get(`${repository}:${reference}`);
  if (!digest || !input.shared) return resolveArtifactTree(client, repository, reference, options);
  const key = `${repository}@${digest}|${JSON.stringify(input.platforms ?? [])}|${input.referrers === true}`;
  let tree = input.shared.trees.get(key);
  if (!tree) {
    tree = resolveArtifactTree(client, repository, digest, options);
    // A failed read is not kept: the next copy of the batch tries again.
    tree.catch(() => input.shared?.trees.delete(key));
    input.shared.trees.set(key, tree);
  }
  return tree;
}

/**
 * Sets the tags of `runs` (those still to be set) once their blobs are in place: only while the
 * source still points at what was copied; returns the targets whose source tag moved just after.
 */
async function setTags(
  runs: TargetRun[],
  tree: ArtifactTree,
  input: CopyInput,
  sourceWatch: StallWatch,
): Promise<string[]> {
  const setting = () => runs.filter((run) => !run.failed && run.needsImage && run.tag !== undefined);
  if (setting().length > 0) {
    const before = await sourceWatch.during(() => sourceTagNow(input));
    if (before !== undefined && before !== tree.sourceDigest)
      for (const run of setting()) supersede(run, tree, before);
  }
  const set = setting();
  await Promise.all(runs.map((run) => run.step(() => pushManifests(run, tree, input))));
  throwIfAborted(input.signal);
  if (!set.some((run) => !run.failed)) return [];
  const after = await sourceWatch.during(() => sourceTagNow(input));
  // A tag deleted meanwhile is not chased: its delete event's run decides what the site keeps.
  if (typeof after !== 'string' || after === tree.sourceDigest) return [];
  return set.filter((run) => !run.failed).map((run) => run.target.id);
}

async function copyWith(
  input: CopyInput & { stallTimeoutMs: number },
  sourceWatch: StallWatch,
): Promise<{ result: CopyResult; movedAfterSet: string[] }> {
  const { signal, stallTimeoutMs } = input;
  const tree = await sourceWatch.during(() => sourceTree(input));
  const runs = input.targets.map((target) => new TargetRun(target, { signal, stallTimeoutMs }));
  await Promise.all(runs.map((run) => run.step(() => decideTag(run, tree, input))));

  const blobs = [...tree.imageBlobs, ...(input.referrers ? tree.referrerBlobs : [])];
  const wants = wantsBlob(tree, input);
  const progress = new ProgressMeter(
    blobs.reduce((sum, blob) => sum + blob.size, 0),
    input.onProgress,
  );
  const limiter =
    input.shared?.limiter ?? (input.bytesPerSecond ? new BandwidthLimiter(input.bytesPerSecond) : undefined);

  await forEachBounded(blobs, input.maxBlobsInFlight ?? 4, async (blob) => {
    throwIfAborted(signal);
    const prepared: PreparedSink[] = [];
    await Promise.all(
      runs
        .filter((run) => wants(run, blob))
        .map((run) =>
          run.step(async () => {
            const sink = await prepareBlob(run, blob, input);
            if (sink) prepared.push(sink);
          }),
        ),
    );
    if (prepared.length === 0) {
      progress.add(blob.size);
      return;
    }
    await fanOutBlob(
      input.source,
      blob,
      prepared.map(({ sink }) => sink),
      {
        limiter,
        signal,
        sourceWatch,
        detachAfterMs: Math.min(5_000, stallTimeoutMs / 2),
        onBytes: (bytes) => progress.add(bytes),
      },
    );
    for (const entry of prepared) {
      const { alone } = entry.sink;
      if (alone) entry.run.later.push(alone.then(() => record(entry, blob, input)));
      else record(entry, blob, input);
    }
  });
  throwIfAborted(signal);

  // Targets whose blobs are all in set their tags together; one finishing a blob alone, after.
  const together = runs.filter((run) => run.later.length === 0);
  const alone = runs.filter((run) => run.later.length > 0);
  const moved = await Promise.all([
    setTags(together, tree, input, sourceWatch),
    ...alone.map(async (run) => {
      await Promise.all(run.later);
      return setTags([run], tree, input, sourceWatch);
    }),
  ]);
  progress.finish();
  return { result: copyResult(tree, runs), movedAfterSet: moved.flat() };
}
