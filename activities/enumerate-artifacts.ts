import type { Artifact, EnumerateArtifactsInput, EnumerateArtifactsResult } from '../contract/index.js';
import { PolicySnapshot } from '../policies/index.js';
import { artifactsInScope } from './artifacts-in-scope.js';
import type { RegistryClients } from './registry-clients.js';

/**
 * One page of the source's artifacts in scope; the cursor names where the next page starts. A
 * repository the policy names that the source cannot list is an artifact with `error` (and no
 * tag): its tasks fail with that error, the other artifacts are copied.
 */
export async function enumerateArtifacts(
  clients: RegistryClients,
  input: EnumerateArtifactsInput,
): Promise<EnumerateArtifactsResult> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const source = await clients.get(policy.src_registry_id);
  const artifacts: Artifact[] = [];
  for await (const entry of artifactsInScope(source, policy.filters, { after: input.cursor })) {
    if (artifacts.length === input.pageSize) {
      const last = artifacts[artifacts.length - 1]!;
      return { artifacts, next: { repository: last.repository, tag: last.tag ?? '' } };
    }
    artifacts.push(entry);
  }
  return { artifacts };
}
