import { referrersIndex, type ArtifactTree, type ReferrerGroup } from './artifact-tree.js';
import type { CopyInput } from './copy-types.js';
import { referrersTag } from '../../oci/index.js';
import type { TargetRun } from './target-run.js';

/**
 * Keeps the referrers tag schema (`sha256-<hex>` index) of a target without the referrers API
 * in step: the source's index verbatim when the target has none, else the union of both.
 */
async function updateReferrersTag(run: TargetRun, group: ReferrerGroup, signal: AbortSignal | undefined) {
  const { client, repository } = run.target;
  const existing = await client.referrers(repository, group.subject, { signal });
  if (existing.via === 'api') return;
  const have = new Set(existing.descriptors.map((descriptor) => descriptor.digest));
  const missing = group.descriptors.filter((descriptor) => !have.has(descriptor.digest));
  if (missing.length === 0) return;
  const index =
    existing.descriptors.length === 0 && group.sourceIndex
      ? group.sourceIndex
      : referrersIndex([...existing.descriptors, ...missing]);
  await client.putManifest(repository, referrersTag(group.subject), index, { signal });
  run.result.bytesUploaded += index.bytes.length;
}

/** Children by digest, then the top manifest by tag; then referrers, which point at it. */
export async function pushManifests(run: TargetRun, tree: ArtifactTree, input: CopyInput): Promise<void> {
  const { client, repository } = run.target;
  const signal = run.signal;
  if (run.needsImage) {
    for (const child of tree.children) {
      await client.putManifest(repository, child.digest, child, { signal });
      run.result.bytesUploaded += child.bytes.length;
      run.watch.progress();
    }
    await client.putManifest(repository, run.tag ?? tree.top.digest, tree.top, { signal });
    run.result.bytesUploaded += tree.top.bytes.length;
    run.result.digest = tree.top.digest;
  }
  if (!input.referrers || !run.needsReferrers) return;
  for (const referrer of tree.referrerManifests) {
    await client.putManifest(repository, referrer.digest, referrer, { signal });
    run.result.bytesUploaded += referrer.bytes.length;
    run.watch.progress();
  }
  for (const group of tree.referrerGroups) await updateReferrersTag(run, group, signal);
}
