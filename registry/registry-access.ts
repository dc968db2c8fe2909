import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { EnvironmentError, InvalidInputError } from '../errors/regatta-error.js';
import type { DockerConfigCredential, RegistryAccess } from '../oci/index.js';
import { credentialsFromDockerConfig } from './docker-config.js';
import type { RegistryCredentials, RegistryEndpoint } from './endpoint.js';
import type { RegistryAllowList } from './registry-allow-list.js';

/** The server's rules for reaching registries, from its environment. */
export interface RegistryAccessRules {
  /** The one folder Docker config credentials are read from (REGATTA_DOCKER_CONFIG_DIR); unset, none are. */
  dockerConfigDir?: string | undefined;
  /** Where registries may be reached (REGATTA_REGISTRY_ALLOW); unset, anywhere. */
  allow?: RegistryAllowList | undefined;
}

const configField = 'credential.config_path';
// A Docker config is a few entries; anything much larger is not one.
const maxDockerConfigBytes = 1024 * 1024;

function inside(folder: string, file: string): boolean {
  const path = relative(folder, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/**
 * The file a Docker config credential names (relative to the folder, or absolute inside it),
 * checked by its name: a folder must be configured and the path must stay in it, no `..`.
 */
export function dockerConfigFile(configPath: string, folder: string | undefined): string {
  if (!folder) {
    throw new InvalidInputError(
      `${configField}: Docker config credentials are off (REGATTA_DOCKER_CONFIG_DIR is not set)`,
      configField,
    );
  }
  const file = resolve(folder, configPath);
  if (configPath.split(/[\\/]/).includes('..') || !inside(resolve(folder), file)) {
    throw new InvalidInputError(
      `${configField}: must name a file inside REGATTA_DOCKER_CONFIG_DIR`,
      configField,
    );
  }
  return file;
}

/** Reads the Docker config a credential names; where it really is (links followed) must be in the folder too. */
async function readDockerConfig(credential: DockerConfigCredential, folder: string | undefined) {
  const file = dockerConfigFile(credential.config_path, folder);
  const unreadable = (cause: unknown) =>
    new EnvironmentError(`cannot read the Docker config ${credential.config_path}`, { cause });
  const [realFolder, realFile] = await Promise.all([realpath(folder!), realpath(file)]).catch(
    (error: unknown) => {
      throw unreadable(error);
    },
  );
  if (!inside(realFolder, realFile)) {
    throw new InvalidInputError(`${configField}: leads outside REGATTA_DOCKER_CONFIG_DIR`, configField);
  }
  const found = await stat(realFile).catch((error: unknown) => {
    throw unreadable(error);
  });
  if (!found.isFile() || found.size > maxDockerConfigBytes) {
    throw new InvalidInputError(`${configField}: is not a Docker config file`, configField);
  }
  return readFile(realFile, 'utf8').catch((error: unknown) => {
    throw unreadable(error);
  });
}

async function credentialsOf(
  access: RegistryAccess,
  rules: RegistryAccessRules,
): Promise<RegistryCredentials | undefined> {
  const { credential } = access;
  if (credential?.type === 'basic')
    return { username: credential.access_key, password: credential.access_secret };
  if (credential?.type !== 'docker_config') return undefined;
  const text = await readDockerConfig(credential, rules.dockerConfigDir);
  return credentialsFromDockerConfig(text, new URL(access.url).host);
}

/**
 * The endpoint a client connects with, from a stored registry's access settings and the
 * server's rules. A Docker config credential is read here, when the registry is used, never kept.
 */
export async function endpointOf(
  access: RegistryAccess,
  rules: RegistryAccessRules = {},
): Promise<RegistryEndpoint> {
  const credentials = await credentialsOf(access, rules);
  return {
    url: access.url,
    ...(credentials ? { credentials } : {}),
    ...(access.ca_certificate ? { caPem: access.ca_certificate } : {}),
    insecure: access.insecure,
    ...(rules.allow ? { allow: rules.allow } : {}),
  };
}
