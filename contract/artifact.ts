import { z } from 'zod';

/** Why an artifact could not be read at the source at all; its tasks fail with it. */
export const ArtifactError = z.object({ code: z.string(), message: z.string() });
export type ArtifactError = z.infer<typeof ArtifactError>;

/**
 * One source artifact: a tag (or a bare digest) in a repository. An enumeration gives a
 * repository the policy names but the source cannot list (REGISTRY_NAME_UNKNOWN, ...) as an
 * artifact with `error` and neither tag nor digest, so its tasks fail saying why and the others
 * proceed.
 */
export const Artifact = z.object({
  repository: z.string(),
  tag: z.string().optional(),
  digest: z.string().optional(),
  error: ArtifactError.optional(),
});
export type Artifact = z.infer<typeof Artifact>;

export const Operation = z.enum(['copy', 'delete']);
export type Operation = z.infer<typeof Operation>;

/** `repo:tag`, `repo@digest` for an untagged artifact, or `repo` for a repository that could not be read. */
export function describeArtifact(artifact: Artifact): string {
  if (artifact.tag) return `${artifact.repository}:${artifact.tag}`;
  if (artifact.digest) return `${artifact.repository}@${artifact.digest}`;
  return artifact.repository;
}
