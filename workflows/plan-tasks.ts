import { describeArtifact, type Artifact, type Operation, type ReplicationTask } from '../contract/index.js';
import type { PolicySnapshot } from '../policies/index.js';

/** Maps a source repository to its name at a destination; throws with a reason when it cannot. */
export type RepositoryMapper = (repository: string) => string;

/**
 * The tasks of a page of artifacts: one per artifact and destination, numbered from `firstId` in
 * a fixed order, so the parent's pending view and the batch's results name the same tasks.
 */
export function planTasks(
  policy: PolicySnapshot,
  artifacts: readonly Artifact[],
  firstId: number,
  operation: Operation,
  mapRepository: RepositoryMapper,
): ReplicationTask[] {
  const tasks: ReplicationTask[] = [];
  let id = firstId;
  for (const [artifactIndex, artifact] of artifacts.entries()) {
    let destinationRepository: string | undefined;
    let mappingError: string | undefined;
    try {
      destinationRepository = mapRepository(artifact.repository);
    } catch (error) {
      mappingError = error instanceof Error ? error.message : String(error);
    }
    for (const destination of policy.destinations) {
      const target = destinationRepository ?? artifact.repository;
      tasks.push({
        id: id++,
        operation,
        status: mappingError ? 'Failed' : 'Pending',
        srcResource: describeArtifact(artifact),
        dstResource: `${destination.name}/${describeArtifact({ ...artifact, repository: target })}`,
        destinationRegistryId: destination.registry_id,
        destinationRepository: target,
        artifactIndex,
        bytes: 0,
        attempts: 0,
        ...(mappingError ? { error: { code: 'INVALID_INPUT', message: mappingError } } : {}),
      });
    }
  }
  return tasks;
}
