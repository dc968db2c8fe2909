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
