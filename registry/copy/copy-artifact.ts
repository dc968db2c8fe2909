import { setMaxListeners } from 'node:events';
import { RegistryStalledError } from '../errors.js';
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
import { copyBlobs, type BlobPhase } from './copy-blobs.js';
import type { CopyInput, CopyResult, TargetResult } from './copy-types.js';
import type { Descriptor } from '../manifest.js';
import { keepTogether } from './keep-together.js';
import { ProgressMeter } from './progress-meter.js';
import { pushManifests } from './push-manifests.js';
import { StallWatch } from './stall-watch.js';
import { sourceTagNow, supersede } from './tag-guard.js';
import { TargetRun } from './target-run.js';

/** Copies made again after the source's tag moved while it was being set, before the copy gives up. */
const maxChases = 2;

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
  const { stallTimeoutMs } = input;
  const tree = await sourceWatch.during(() => sourceTree(input));
  const blobs = [...tree.imageBlobs, ...(input.referrers ? tree.referrerBlobs : [])];
  const phase: BlobPhase = {
    input,
    sourceWatch,
    limiter:
      input.shared?.limiter ??
      (input.bytesPerSecond ? new BandwidthLimiter(input.bytesPerSecond) : undefined),
    progress: new ProgressMeter(
      blobs.reduce((sum, blob) => sum + blob.size, 0),
      input.onProgress,
    ),
    wants: wantsBlob(tree, input),
    // A straggler holds the others this long at most; a hung one is then cut by its stall watch.
    graceMs: Math.min(5_000, stallTimeoutMs / 2),
    claims: new Map(),
  };
  try {
    return await copyPhases(input, tree, blobs, phase, sourceWatch);
  } finally {
    // A claim this copy could not settle (it failed or stopped midway) frees the blob for others.
    for (const release of phase.claims.values()) release(false);
  }
}

/** The tags decided, the blobs placed, then the tags set. */
async function copyPhases(
  input: CopyInput & { stallTimeoutMs: number },
  tree: ArtifactTree,
  blobs: Descriptor[],
  phase: BlobPhase,
  sourceWatch: StallWatch,
): Promise<{ result: CopyResult; movedAfterSet: string[] }> {
  const { signal, stallTimeoutMs } = input;
  const runs = input.targets.map((target) => new TargetRun(target, { signal, stallTimeoutMs }));
  const decided = await keepTogether(runs, (run) => decideTag(run, tree, input), phase.graceMs);
  for (const { run, value } of decided.late) run.later.push(value.then(() => copyBlobs([run], blobs, phase)));
  await copyBlobs(
    decided.done.map(({ run }) => run),
    blobs,
    phase,
  );
  throwIfAborted(signal);

  // Targets whose blobs are all in set their tags together; one that went on alone, after.
  const together = runs.filter((run) => run.later.length === 0);
  const alone = runs.filter((run) => run.later.length > 0);
  const moved = await Promise.all([
    setTags(together, tree, input, sourceWatch),
    ...alone.map(async (run) => {
      await run.settleLater();
      return setTags([run], tree, input, sourceWatch);
    }),
  ]);
  phase.progress.finish();
  return { result: copyResult(tree, runs), movedAfterSet: moved.flat() };
}
