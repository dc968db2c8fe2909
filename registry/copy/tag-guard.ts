import { parseReference } from '../../oci/index.js';
import type { ArtifactTree } from './artifact-tree.js';
import type { CopyInput } from './copy-types.js';
import type { TargetRun } from './target-run.js';

// A site's tag never moves backwards. Registries have no compare-and-set for tags, so a copy by
// tag asks the source where the tag points just before setting it (a push since the copy read it
// means a newer run sets it: this one does not), and once more just after (a push in between
// means the tag just set may be older than the source's: the copy is made again from the source).

/** Where the source's tag points now; null when the tag is gone; undefined for a copy by digest. */
export async function sourceTagNow(input: CopyInput): Promise<string | null | undefined> {
  const reference = parseReference(input.source.reference);
  if (reference.kind !== 'tag') return undefined;
  const { client, repository } = input.source;
  return (await client.headManifest(repository, reference.tag, { signal: input.signal }))?.digest ?? null;
}

/** Leaves the target's tag where it is: the source moved on since the copy read it. */
export function supersede(run: TargetRun, tree: ArtifactTree, now: string | null): void {
  run.result.status = 'superseded';
  run.result.note =
    now === null
      ? `not tagged: the source's tag was deleted after ${tree.sourceDigest} was read`
      : `not tagged: the source's tag moved from ${tree.sourceDigest} to ${now}; the run for that change sets it`;
  run.needsImage = false;
  run.needsReferrers = false;
}
