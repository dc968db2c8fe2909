import { z } from 'zod';

/** One source artifact: a tag (or a bare digest) in a repository. */
export const Artifact = z.object({
  repository: z.string(),
  tag: z.string().optional(),
  digest: z.string().optional(),
});
export type Artifact = z.infer<typeof Artifact>;

export const Operation = z.enum(['copy', 'delete']);
export type Operation = z.infer<typeof Operation>;

/** `repo:tag`, or `repo@digest` for an untagged artifact: how tasks and summaries name it. */
export function describeArtifact(artifact: Artifact): string {
  if (artifact.tag) return `${artifact.repository}:${artifact.tag}`;
  return `${artifact.repository}@${artifact.digest ?? ''}`;
}
