import type { Artifact, EnumerateArtifactsInput, EnumerateArtifactsResult } from '../contract/index.js';
import { PolicySnapshot, type ReplicationFilter } from '../policies/index.js';
import type { RegistryClient } from '../registry/index.js';
import { artifactsInScope, type ScopeOptions } from './artifacts-in-scope.js';
import type { RegistryClients } from './registry-clients.js';

/** Up to `pageSize` of a registry's artifacts in scope after `cursor`; `next` names where the page after starts. */
export async function pageOfArtifacts(
  client: RegistryClient,
  filters: readonly ReplicationFilter[],
  { cursor, pageSize }: Pick<EnumerateArtifactsInput, 'cursor' | 'pageSize'>,
  heartbeat?: ScopeOptions['heartbeat'],
): Promise<EnumerateArtifactsResult> {
  const artifacts: Artifact[] = [];
  for await (const artifact of artifactsInScope(client, filters, { after: cursor, heartbeat })) {
    if (artifacts.length === pageSize) {
      const last = artifacts[artifacts.length - 1]!;
      return { artifacts, next: { repository: last.repository, tag: last.tag ?? '' } };
    }
    artifacts.push(artifact);
  }
  return { artifacts };
}

/** One page of the source's artifacts in scope; the cursor names where the next page starts. */
export async function enumerateArtifacts(
  clients: RegistryClients,
  input: EnumerateArtifactsInput,
): Promise<EnumerateArtifactsResult> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  return pageOfArtifacts(await clients.get(policy.src_registry_id), policy.filters, input);
}
