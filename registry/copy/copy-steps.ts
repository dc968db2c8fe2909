import { InvalidInputError } from '../../errors/regatta-error.js';
import { AbortedError } from '../errors.js';
import type { Descriptor } from '../manifest.js';
import { assertRepositoryName, assertTag, parseReference } from '../../oci/index.js';
import type { ArtifactTree } from './artifact-tree.js';
import type { CopyInput, CopyResult } from './copy-types.js';
import type { TargetRun } from './target-run.js';

// The decisions a copy and its dry-run plan share, so a plan is what the copy then does.

/** A copy, or one of its targets, with no progress for this long is cut (REGISTRY_STALLED). */
export const defaultStallTimeoutMs = 120_000;

export function validateCopyInput(input: CopyInput): void {
  assertRepositoryName(input.source.repository, 'source.repository');
  parseReference(input.source.reference, 'source.reference');
  const ids = new Set<string>();
  input.targets.forEach((target, index) => {
    assertRepositoryName(target.repository, `targets.${index}.repository`);
    if (target.tag !== undefined) assertTag(target.tag, `targets.${index}.tag`);
    if (ids.has(target.id))
      throw new InvalidInputError(`target id ${target.id} appears twice`, `targets.${index}.id`);
    ids.add(target.id);
  });
  if (input.bytesPerSecond !== undefined && !(input.bytesPerSecond > 0)) {
    throw new InvalidInputError('bytesPerSecond must be positive', 'bytesPerSecond');
  }
  if (input.stallTimeoutMs !== undefined && !(input.stallTimeoutMs > 0)) {
    throw new InvalidInputError('stallTimeoutMs must be positive', 'stallTimeoutMs');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('copy aborted', { cause: signal.reason });
}

/** Whether the target already has the tag at this digest, or another digest it must keep. */
export async function decideTag(run: TargetRun, tree: ArtifactTree, input: CopyInput): Promise<void> {
  const source = parseReference(input.source.reference);
  run.tag = run.target.tag ?? (source.kind === 'tag' ? source.tag : undefined);
  if (run.target.stale && input.override) return;
  const { client, repository } = run.target;
  const existing = await client.headManifest(repository, run.tag ?? tree.top.digest, {
    signal: run.signal,
  });
  if (existing?.digest === tree.top.digest) {
    run.result.status = 'skipped';
    run.result.digest = existing.digest;
    run.needsImage = false;
  } else if (existing && run.tag && !input.override) {
    run.result.status = 'conflict';
    run.result.digest = existing.digest;
    run.needsImage = false;
    run.needsReferrers = false;
  }
}

/** Whether a target still needs a blob: the image's while its tag is not in place, referrers' when asked. */
export function wantsBlob(tree: ArtifactTree, input: CopyInput) {
  const imageDigests = new Set(tree.imageBlobs.map((blob) => blob.digest));
  return (run: TargetRun, blob: Descriptor) =>
    !run.failed &&
    (imageDigests.has(blob.digest) ? run.needsImage : input.referrers === true && run.needsReferrers);
}

export function copyResult(tree: ArtifactTree, runs: readonly TargetRun[]): CopyResult {
  return {
    digest: tree.top.digest,
    mediaType: tree.top.mediaType,
    sourceDigest: tree.sourceDigest,
    platformsFiltered: tree.platformsFiltered,
    targets: runs.map((run) => run.result),
  };
}
