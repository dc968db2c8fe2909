import { endpointOf, type RegistryAccessRules, type RegistryCredentials } from '../../registry/index.js';
import type { Store } from '../../store/index.js';

/** The credentials a run would use for a stored registry: its secrets opened, a Docker config read. */
export async function storedCredentials(
  store: Store,
  registryId: number,
  rules: RegistryAccessRules = {},
): Promise<RegistryCredentials | undefined> {
  return (await endpointOf(await store.registries.getWithSecrets(registryId), rules)).credentials;
}
