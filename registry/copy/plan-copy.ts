import { resolveArtifactTree } from './artifact-tree.js';
import {
  copyResult,
  decideTag,
  defaultStallTimeoutMs,
  throwIfAborted,
  validateCopyInput,
  wantsBlob,
} from './copy-steps.js';
import type { CopyInput, CopyResult } from './copy-types.js';
import { forEachBounded } from './for-each-bounded.js';
import { TargetRun } from './target-run.js';

/**
 * What `copyArtifact` would do with the same input, without writing anything: per target the
 * status it would end with, in `bytesUploaded` the bytes it would send (the blobs the target
 * repository lacks, and the manifests), and in `note` how many of each. Read-only: manifests are fetched from the source, the
 * targets only get HEAD requests. A blob the real copy can mount from another repository of the
 * target registry is counted here as sent, so a plan's bytes are an upper bound.
 */
export async function planCopy(input: CopyInput): Promise<CopyResult> {
  validateCopyInput(input);
  throwIfAborted(input.signal);
  const { signal } = input;
  const tree = await resolveArtifactTree(
    input.source.client,
    input.source.repository,
    input.source.reference,
    { platforms: input.platforms, referrers: input.referrers, signal },
  );
  const runs = input.targets.map(
    (target) =>
      new TargetRun(target, { signal, stallTimeoutMs: input.stallTimeoutMs ?? defaultStallTimeoutMs }),
  );
  await Promise.all(runs.map((run) => run.step(() => decideTag(run, tree, input))));

  const blobs = [...tree.imageBlobs, ...(input.referrers ? tree.referrerBlobs : [])];
  const wants = wantsBlob(tree, input);
  await forEachBounded(blobs, input.maxBlobsInFlight ?? 4, async (blob) => {
    throwIfAborted(signal);
    await Promise.all(
      runs
        .filter((run) => wants(run, blob))
        .map((run) =>
          run.step(async () => {
            const { client, repository } = run.target;
            if (await client.headBlob(repository, blob.digest, { signal: run.signal })) {
              run.result.blobsSkipped++;
              return;
            }
            run.result.blobsUploaded++;
            run.result.bytesUploaded += blob.size;
          }),
        ),
    );
  });
  throwIfAborted(signal);

  for (const run of runs) {
    if (run.failed) continue;
    const manifests = [
      ...(run.needsImage ? [...tree.children, tree.top] : []),
      ...(input.referrers && run.needsReferrers ? tree.referrerManifests : []),
    ];
    if (run.needsImage) run.result.digest = tree.top.digest;
    const blobBytes = run.result.bytesUploaded;
    const manifestBytes = manifests.reduce((sum, manifest) => sum + manifest.bytes.length, 0);
    run.result.bytesUploaded += manifestBytes;
    if (manifests.length > 0 || run.result.blobsUploaded > 0) {
      run.result.note =
        `would send ${count(run.result.blobsUploaded, 'blob')} (${blobBytes} bytes) and ` +
        `${count(manifests.length, 'manifest')} (${manifestBytes} bytes)` +
        (run.result.blobsSkipped > 0 ? `; ${count(run.result.blobsSkipped, 'blob')} already there` : '');
    }
  }
  return copyResult(tree, runs);
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
