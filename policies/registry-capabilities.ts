import { z } from 'zod';
import { RegistryType, type StoredRegistry } from './registry.js';
import { TriggerType } from './replication-trigger.js';

/** Harbor's FilterStyle: how a client offers one filter (`input`: a pattern; `radio`, `list`: one of `values`). */
export const FilterStyle = z.object({
  type: z.string(),
  style: z.enum(['input', 'radio', 'list']),
  values: z.array(z.string()).optional(),
});
export type FilterStyle = z.infer<typeof FilterStyle>;

/** Harbor's RegistryInfo: what a policy reading from this registry can use. */
export const RegistryInfo = z.object({
  type: RegistryType,
  description: z.string(),
  supported_resource_filters: z.array(FilterStyle),
  supported_triggers: z.array(TriggerType),
  supported_copy_by_chunk: z.boolean(),
});
export type RegistryInfo = z.infer<typeof RegistryInfo>;

// A run judges repository names and tags. `label` and `resource` filters are accepted in Harbor's
// bodies but let every artifact through, so they are not offered.
const judgedFilters: FilterStyle[] = [
  { type: 'name', style: 'input' },
  { type: 'tag', style: 'input' },
];

/**
 * Every type is read over the OCI Distribution API. Distribution's notifications and Harbor's
 * webhooks start event-based runs; Docker Hub sends neither, so a `docker-hub` source offers
 * manual and scheduled runs only, as Harbor's own docker-hub adapter does. `copy_by_chunk` is
 * accepted in a policy but not used.
 */
export function registryInfo(registry: StoredRegistry): RegistryInfo {
  return {
    type: registry.type,
    description: registry.description,
    supported_resource_filters: judgedFilters,
    supported_triggers: registry.type === 'docker-hub' ? ['manual', 'scheduled'] : TriggerType.options,
    supported_copy_by_chunk: false,
  };
}

/** Harbor's RegistryProviderInfo: how a client asks for a registry's endpoint and credential. */
export const RegistryProviderInfo = z.object({
  endpoint_pattern: z.object({
    /** Standard: any URL; Fix: the one endpoint listed (Harbor's UI fills it in). */
    endpoint_type: z.enum(['EndpointPatternTypeStandard', 'EndpointPatternTypeFix']),
    endpoints: z.array(z.object({ key: z.string(), value: z.string() })),
  }),
  credential_pattern: z.object({
    access_key_type: z.literal('AccessKeyTypeStandard'),
    access_key_data: z.string(),
    access_secret_type: z.literal('AccessSecretTypePass'),
    access_secret_data: z.string(),
  }),
});
export type RegistryProviderInfo = z.infer<typeof RegistryProviderInfo>;

/**
 * Every type takes a user name and password (for Docker Hub, a personal access token; or none,
 * anonymous). `docker-registry` and `harbor` take any URL; `docker-hub` is Docker Hub, at
 * `https://hub.docker.com` as Harbor's own adapter says (its other names and a mirror's URL are
 * accepted too, see registry-api.ts).
 */
export function registryProviderInfos(): Record<RegistryType, RegistryProviderInfo> {
  const credential_pattern: RegistryProviderInfo['credential_pattern'] = {
    access_key_type: 'AccessKeyTypeStandard',
    access_key_data: '',
    access_secret_type: 'AccessSecretTypePass',
    access_secret_data: '',
  };
  const anyUrl: RegistryProviderInfo = {
    endpoint_pattern: { endpoint_type: 'EndpointPatternTypeStandard', endpoints: [] },
    credential_pattern,
  };
  return {
    'docker-registry': anyUrl,
    harbor: anyUrl,
    'docker-hub': {
      endpoint_pattern: {
        endpoint_type: 'EndpointPatternTypeFix',
        endpoints: [{ key: 'hub.docker.com', value: 'https://hub.docker.com' }],
      },
      credential_pattern,
    },
  };
}
