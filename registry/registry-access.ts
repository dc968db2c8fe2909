import { readFile } from 'node:fs/promises';
import { EnvironmentError } from '../errors/regatta-error.js';
import type { RegistryAccess } from '../oci/index.js';
import { credentialsFromDockerConfig } from './docker-config.js';
import type { RegistryCredentials, RegistryEndpoint } from './endpoint.js';

async function credentialsOf(access: RegistryAccess): Promise<RegistryCredentials | undefined> {
  const { credential } = access;
  if (credential?.type === 'basic')
    return { username: credential.access_key, password: credential.access_secret };
  if (credential?.type !== 'docker_config') return undefined;
  const path = credential.config_path;
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new EnvironmentError(`cannot read the Docker config ${path}`, { cause: error });
  });
  return credentialsFromDockerConfig(text, new URL(access.url).host);
}

/**
 * The endpoint a client connects with, from a stored registry's access settings. A Docker
 * config credential is read here, when the registry is used, never kept.
 */
export async function endpointOf(access: RegistryAccess): Promise<RegistryEndpoint> {
  const credentials = await credentialsOf(access);
  return {
    url: access.url,
    ...(credentials ? { credentials } : {}),
    ...(access.ca_certificate ? { caPem: access.ca_certificate } : {}),
    insecure: access.insecure,
  };
}
