import type {
  DestinationResult,
  ReplicateArtifactInput,
  ReplicateArtifactResult,
} from '../contract/index.js';
import { failedDestination } from './failed-destination.js';
import type { RegistryClients } from './registry-clients.js';

/**
 * Replicates a delete: removes the artifact at each destination only where the destination holds
 * the very digest deleted at the source, so a newer image that shares the tag is left alone.
 * Already absent counts as done; a delete that names no digest deletes nothing.
 */
export async function deleteArtifact(
  clients: RegistryClients,
  input: ReplicateArtifactInput,
): Promise<ReplicateArtifactResult> {
  const { artifact } = input;
  const destinations = await Promise.all(
    input.destinations.map(async ({ registryId, repository }): Promise<DestinationResult> => {
      const base = { registryId, repository, bytes: 0 };
      try {
        const client = await clients.get(registryId);
        const present = await client.headManifest(repository, artifact.tag ?? artifact.digest!);
        if (!present) return { ...base, ok: true, outcome: 'absent' };
        if (!artifact.digest || present.digest !== artifact.digest) {
          return { ...base, ok: true, outcome: 'kept', digest: present.digest };
        }
        await client.deleteManifest(repository, present.digest);
        return { ...base, ok: true, outcome: 'deleted', digest: present.digest };
      } catch (error) {
        return failedDestination(registryId, repository, error);
      }
    }),
  );
  return { digest: artifact.digest, destinations };
}
