import type { RegistryDefinition } from './registry.js';

/** Docker Hub's registry API; `hub.docker.com`, which Harbor's UI fills in, is its website. */
export const dockerHubApiUrl = 'https://registry-1.docker.io';
const dockerHubHosts = new Set([
  'hub.docker.com',
  'docker.io',
  'index.docker.io',
  'registry.hub.docker.com',
  'registry-1.docker.io',
]);

/** Where a registry's OCI API answers, and where its one-component repository names live. */
export interface RegistryApi {
  url: string;
  singleNameNamespace?: string;
}

/**
 * How a registry of a type is reached. A `docker-hub` registry named by any of Docker Hub's host
 * names answers at registry-1.docker.io (a Docker Hub mirror at another URL is reached there),
 * and keeps one-component names in `library/`, as `docker pull nginx` does. The stored URL stays
 * what the user gave: it is what the API shows.
 */
export function registryApi(registry: Pick<RegistryDefinition, 'type' | 'url'>): RegistryApi {
  if (registry.type !== 'docker-hub') return { url: registry.url };
  const host = new URL(registry.url).hostname.toLowerCase();
  return { url: dockerHubHosts.has(host) ? dockerHubApiUrl : registry.url, singleNameNamespace: 'library' };
}
