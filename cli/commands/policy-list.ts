import type { ReplicationPolicy } from '../../policies/index.js';
import type { ApiClient } from './api-client.js';
import { formatTable, printJson } from './output.js';

/** `regatta policy list`: every policy, registries by name. */
export async function policyList(client: ApiClient, options: { json: boolean }): Promise<number> {
  const policies = await client.listAll<ReplicationPolicy>('/replication/policies');
  if (options.json) {
    printJson(policies);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'NAME', 'SOURCE', 'DESTINATIONS', 'TRIGGER', 'FILTERS', 'ENABLED'],
      policies.map((policy) => [
        String(policy.id),
        policy.name,
        policy.src_registry.name,
        policy.dest_registries.map((registry) => registry.name).join(','),
        policy.trigger.type,
        policy.filters.map((filter) => `${filter.type}=${JSON.stringify(filter.value)}`).join(' '),
        String(policy.enabled),
      ]),
    ),
  );
  return 0;
}
