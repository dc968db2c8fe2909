import { setMaxListeners } from 'node:events';
import type { Descriptor } from '../manifest.js';
import { resolveArtifactTree, type ArtifactTree } from './artifact-tree.js';
import { BandwidthLimiter } from './bandwidth-limiter.js';
import { copyResult, decideTag, throwIfAborted, validateCopyInput, wantsBlob } from './copy-steps.js';
import { fanOutBlob, type FanOutSink } from './blob-fanout.js';
import type { CopyInput, CopyResult } from './copy-types.js';
import { forEachBounded } from './for-each-bounded.js';
import { ProgressMeter } from './progress-meter.js';
import { pushManifests } from './push-manifests.js';
import { sourceTagNow, supersede } from './tag-guard.js';
import { TargetRun } from './target-run.js';
import type { TargetResult } from './copy-types.js';

/** Copies made again after the source's tag moved while it was being set, before the copy gives up. */
const maxChases = 2;

/** HEAD, then mount, else an open upload session to stream into. */
async function prepareBlob(
  run: TargetRun,
  blob: Descriptor,
  input: CopyInput,
): Promise<FanOutSink | undefined> {
  const { client, repository } = run.target;
  const signal = input.signal;
  const known = presentKey(run, blob.digest);
  if (input.shared?.presentBlobs.has(known) || (await client.headBlob(repository, blob.digest, { signal }))) {
    input.shared?.presentBlobs.add(known);
    run.result.blobsSkipped++;
    return undefined;
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
  const chunkSize = input.chunkSize && blob.size > input.chunkSize ? input.chunkSize : undefined;
  return { writer: client.blobWriter(repository, blob, start.location, { chunkSize, signal }) };
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
  try {
    const signal = controller.signal;
    const first = await copyWith({ ...input, signal });
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
      const again = await copyWith({ ...input, targets, signal });
      const redone = new Map(again.result.targets.map((target) => [target.id, target]));
      result = withTargets(result, moved, (target) => addUp(target, redone.get(target.id)!));
      moved = again.movedAfterSet;
    }
    return result;
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

async function copyWith(input: CopyInput): Promise<{ result: CopyResult; movedAfterSet: string[] }> {
  const { signal } = input;
  const tree = await sourceTree(input);
  const runs = input.targets.map((target) => new TargetRun(target));
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
    const sinks: Array<{ run: TargetRun; sink: FanOutSink }> = [];
    await Promise.all(
      runs
        .filter((run) => wants(run, blob))
        .map((run) =>
          run.step(async () => {
            const sink = await prepareBlob(run, blob, input);
            if (sink) sinks.push({ run, sink });
          }),
        ),
    );
    if (sinks.length === 0) {
      progress.add(blob.size);
      return;
    }
    await fanOutBlob(
      input.source,
      blob,
      sinks.map(({ sink }) => sink),
      {
        limiter,
        signal,
        onBytes: (bytes) => progress.add(bytes),
      },
    );
    for (const { run, sink } of sinks) {
      if (sink.error !== undefined) {
        run.fail(sink.error);
        continue;
      }
      run.result.blobsUploaded++;
      run.result.bytesUploaded += blob.size;
      run.target.client.blobLocations.remember(blob.digest, run.target.repository);
      input.shared?.presentBlobs.add(presentKey(run, blob.digest));
    }
  });
  throwIfAborted(signal);

  const setting = () => runs.filter((run) => !run.failed && run.needsImage && run.tag !== undefined);
  if (setting().length > 0) {
    const before = await sourceTagNow(input);
    if (before !== undefined && before !== tree.sourceDigest)
      for (const run of setting()) supersede(run, tree, before);
  }
  const set = setting();
  await Promise.all(runs.map((run) => run.step(() => pushManifests(run, tree, input))));
  throwIfAborted(signal);
  let movedAfterSet: string[] = [];
  if (set.some((run) => !run.failed)) {
    const after = await sourceTagNow(input);
    // A tag deleted meanwhile is not chased: its delete event's run decides what the site keeps.
    if (typeof after === 'string' && after !== tree.sourceDigest)
      movedAfterSet = set.filter((run) => !run.failed).map((run) => run.target.id);
  }
  progress.finish();
  return { result: copyResult(tree, runs), movedAfterSet };
}
