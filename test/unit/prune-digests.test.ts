import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  destinationDigests,
  digestLookupsInFlight,
  digestsPerHeartbeat,
} from '../../activities/plan-prune.js';
import type { TaggedArtifact } from '../../activities/artifacts-in-scope.js';

const tags = (count: number): TaggedArtifact[] =>
  Array.from({ length: count }, (_, index) => ({ repository: `team/app-${index % 7}`, tag: `v${index}` }));
const digestOf = (artifact: TaggedArtifact) => `sha256:${artifact.tag.padStart(64, '0')}`;

/** A destination answering each HEAD after a short wait, counting the HEADs in flight. */
function destination(answer: (artifact: TaggedArtifact) => string | undefined | Error = digestOf) {
  const seen = { inFlight: 0, most: 0, heads: 0 };
  return {
    seen,
    client: {
      async headManifest(repository: string, tag: string) {
        seen.heads++;
        seen.most = Math.max(seen.most, ++seen.inFlight);
        await sleep(2);
        seen.inFlight--;
        const result = answer({ repository, tag });
        if (result instanceof Error) throw result;
        return result
          ? { digest: result, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 }
          : undefined;
      },
    },
  };
}

describe('destinationDigests – the kept-digest check, bounded-parallel with progress', () => {
  it(`bounded – ${digestLookupsInFlight} HEADs at a time, every digest read, progress every ${digestsPerHeartbeat}`, async () => {
    const artifacts = tags(250);
    const { client, seen } = destination();
    const progress: number[] = [];
    const digests = await destinationDigests(client, artifacts, (resolved) => progress.push(resolved));
    assert.equal(seen.most, digestLookupsInFlight);
    assert.equal(seen.heads, 250);
    assert.deepEqual(progress, [100, 200]);
    for (const artifact of artifacts) assert.equal(digests.get(artifact), digestOf(artifact));
  });

  it('gone – a tag the destination no longer has has no digest (nothing to delete)', async () => {
    const artifacts = tags(3);
    const { client } = destination((artifact) => (artifact.tag === 'v1' ? undefined : digestOf(artifact)));
    const digests = await destinationDigests(client, artifacts, () => undefined);
    assert.deepEqual(
      artifacts.map((artifact) => digests.get(artifact)),
      [digestOf(artifacts[0]!), undefined, digestOf(artifacts[2]!)],
    );
  });

  it('failure – a HEAD that fails fails the check: a kept digest is never taken as unknown', async () => {
    const { client, seen } = destination((artifact) =>
      artifact.tag === 'v20' ? new Error('503 from the destination') : digestOf(artifact),
    );
    await assert.rejects(
      destinationDigests(client, tags(200), () => undefined),
      /503 from the destination/,
    );
    assert.ok(seen.heads < 200, `stopped early: ${seen.heads} HEADs`);
  });
});
