import { InvalidInputError } from '../errors/regatta-error.js';
import type { RegistryCredential } from '../oci/index.js';
import { dockerConfigFile, type RegistryAccessRules } from '../registry/index.js';

/**
 * Refuses, naming the field, what the server's rules forbid in a registry's url or credential
 * (a field left out is not checked): a host outside REGATTA_REGISTRY_ALLOW, a Docker config
 * credential without REGATTA_DOCKER_CONFIG_DIR or outside it.
 */
export async function checkRegistryAccess(
  rules: RegistryAccessRules,
  fields: { url?: string | null | undefined; credential?: RegistryCredential | null | undefined },
): Promise<void> {
  if (fields.url != null && rules.allow && !(await rules.allow.admits(fields.url))) {
    throw new InvalidInputError(
      `url: ${new URL(fields.url).host} is outside REGATTA_REGISTRY_ALLOW (by name, or by each address it resolves to)`,
      'url',
    );
  }
  if (fields.credential?.type === 'docker_config')
    dockerConfigFile(fields.credential.config_path, rules.dockerConfigDir);
}
