import { maskedSecret, type Registry } from '../policies/index.js';
import type { RegistryRecord } from '../store/index.js';

/** A stored registry in Harbor's shape; every secret that is set reads `"*****"`. */
export function registryView(record: RegistryRecord): Registry {
  const credential =
    record.credential?.type === 'docker_config'
      ? record.credential
      : {
          type: 'basic' as const,
          access_key: record.credential?.access_key ?? '',
          access_secret: record.credential?.has_secret ? maskedSecret : '',
        };
  return {
    id: record.id,
    name: record.name,
    url: record.url,
    type: record.type,
    description: record.description,
    insecure: record.insecure,
    ...(record.ca_certificate !== undefined ? { ca_certificate: record.ca_certificate } : {}),
    credential,
    ...(record.has_webhook_secret ? { webhook_secret: maskedSecret } : {}),
    status: 'unknown',
    creation_time: record.creation_time,
    update_time: record.update_time,
  };
}
