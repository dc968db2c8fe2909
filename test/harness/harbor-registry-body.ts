import type { RegistryServer } from './registry-server.js';

/** A test-bed registry as Harbor's `POST /registries` body, credentials and CA included. */
export function harborRegistryBody(registry: RegistryServer, extra: { webhook_secret?: string } = {}) {
  return {
    name: registry.name,
    url: registry.url,
    type: 'docker-registry' as const,
    ...(registry.credentials
      ? {
          credential: {
            type: 'basic' as const,
            access_key: registry.credentials.username,
            access_secret: registry.credentials.password,
          },
        }
      : {}),
    ...(registry.caPem ? { ca_certificate: registry.caPem } : {}),
    ...extra,
  };
}

/** Docker Hub as Harbor's docker-hub adapter has it, at `url`: anonymous, one-component names in library/. */
export function dockerHubRegistryBody(url: string) {
  return {
    name: 'docker-hub',
    url,
    type: 'docker-hub' as const,
    description: '',
    insecure: false,
    ca_certificate: null,
    credential: null,
    webhook_secret: null,
  };
}
