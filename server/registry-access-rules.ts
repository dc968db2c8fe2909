import { resolve } from 'node:path';
import type { RegistryAccessRules } from '../registry/index.js';
import type { Environment } from './environment.js';

/** How the API and the workers may reach registries, from the environment: the same rules in both. */
export function registryAccessRules(environment: Environment): RegistryAccessRules {
  return {
    dockerConfigDir: environment.REGATTA_DOCKER_CONFIG_DIR && resolve(environment.REGATTA_DOCKER_CONFIG_DIR),
    allow: environment.REGATTA_REGISTRY_ALLOW,
  };
}
