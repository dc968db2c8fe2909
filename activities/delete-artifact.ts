import {
  describeArtifact,
  type Artifact,
  type DestinationResult,
  type ReplicateArtifactInput,
  type ReplicateArtifactResult,
} from '../contract/index.js';
import { copyArtifact, type RegistryClient } from '../registry/index.js';
import { failedDestination } from './failed-destination.js';
import type { RegistryClients } from './registry-clients.js';

/** Tags of a repository looked at to find those the source points at a digest again (the rare race below). */
const maxTagsSearched = 1000;

/** The source's tags of the artifact's repository that point at its digest, among the first `maxTagsSearched`. */
async function tagsAt(source: RegistryClient, artifact: Artifact, digest: string): Promise<string[]> {
  if (artifact.tag) return [artifact.tag];
  const found: string[] = [];
  let searched = 0;
  for await (const page of source.listTags(artifact.repository, { pageSize: 100 })) {
    for (const tag of page) {
      if (searched++ >= maxTagsSearched) return found;
      if ((await source.headManifest(artifact.repository, tag))?.digest === digest) found.push(tag);
    }
  }
  return found;
}

/**
 * Replicates a delete (an event's, or a mirror's prune), only once the source confirms, just
 * before, that the artifact is gone: a leaked webhook secret, a re-push after the delete or a tag
 * pushed since the prune was planned must not delete at the sites (outcome kept_source_has_it).
 * At each destination it deletes only where the destination holds the very digest deleted at the
 * source, so a newer image that shares the tag is left alone. Already absent counts as done; a delete that names no digest deletes nothing. When the
 * source has the artifact again by the time the deletes are done (a push racing them), what was
 * deleted is copied back from the source at once.
 */
export async function deleteArtifact(
  clients: RegistryClients,
  input: ReplicateArtifactInput,
): Promise<ReplicateArtifactResult> {
  const { artifact } = input;
  const reference = artifact.tag ?? artifact.digest!;
  const source = await clients.get(input.sourceRegistryId);
  const atSource = await source.headManifest(artifact.repository, reference);
  if (atSource) {
    const note = `not deleted: the source has ${describeArtifact(artifact)} (${atSource.digest})`;
    return {
      digest: artifact.digest,
      destinations: input.destinations.map(({ registryId, repository }) => ({
        registryId,
        repository,
        ok: true,
        outcome: 'kept_source_has_it',
        bytes: 0,
        note,
      })),
    };
  }
  const targets = new Map<number, RegistryClient>();
  const destinations = await Promise.all(
    input.destinations.map(async ({ registryId, repository }): Promise<DestinationResult> => {
      const base = { registryId, repository, bytes: 0 };
      try {
        const client = await clients.get(registryId);
        const present = await client.headManifest(repository, reference);
        if (!present) return { ...base, ok: true, outcome: 'absent' };
        if (!artifact.digest) {
          // Distribution 3 notifies a tag deleted alone (the image stays at the source): a site's
          // tag may point elsewhere by now, and deleting by digest would take its other tags too.
          const note = 'not deleted: the delete named a tag, no digest; the tag is left here';
          return { ...base, ok: true, outcome: 'kept', digest: present.digest, note };
        }
        if (present.digest !== artifact.digest) {
          return { ...base, ok: true, outcome: 'kept', digest: present.digest };
        }
        await client.deleteManifest(repository, present.digest);
        targets.set(registryId, client);
        return { ...base, ok: true, outcome: 'deleted', digest: present.digest };
      } catch (error) {
        return failedDestination(registryId, repository, error);
      }
    }),
  );
  return {
    digest: artifact.digest,
    destinations: await restoreIfPushedBack(source, input, destinations, targets),
  };
}

/**
 * The deletes raced a push of the same artifact at the source: what was deleted is copied back
 * from the source, so a site never lacks what the source has because of a delete that came first.
 */
async function restoreIfPushedBack(
  source: RegistryClient,
  input: ReplicateArtifactInput,
  results: DestinationResult[],
  deleted: ReadonlyMap<number, RegistryClient>,
): Promise<DestinationResult[]> {
  const { artifact } = input;
  if (deleted.size === 0 || !artifact.digest) return results;
  const now = await source.headManifest(artifact.repository, artifact.tag ?? artifact.digest);
  if (!now) return results;
  const restored = results.filter((result) => deleted.has(result.registryId));
  for (const tag of await tagsAt(source, artifact, now.digest)) {
    const copy = await copyArtifact({
      source: { client: source, repository: artifact.repository, reference: tag },
      targets: restored.map((result) => ({
        id: String(result.registryId),
        client: deleted.get(result.registryId)!,
        repository: result.repository,
        tag,
      })),
      override: true,
    });
    for (const target of copy.targets) {
      const result = restored.find((entry) => String(entry.registryId) === target.id)!;
      result.bytes += target.bytesUploaded;
      if (target.status === 'failed')
        Object.assign(result, failedDestination(result.registryId, result.repository, target.error));
    }
  }
  for (const result of restored) {
    if (!result.ok) continue;
    result.outcome = 'kept';
    result.note = `deleted, then copied back: the source had ${artifact.repository}@${now.digest} again`;
  }
  return results;
}
