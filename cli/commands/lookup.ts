import type { Registry, ReplicationPolicy } from '../../policies/index.js';
import type { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';

/** A policy named on the command line by id (digits) or by name. */
export async function findPolicy(client: ApiClient, reference: string): Promise<ReplicationPolicy> {
  if (/^\d+$/.test(reference)) return client.get<ReplicationPolicy>(`/replication/policies/${reference}`);
  const policies = await client.listAll<ReplicationPolicy>('/replication/policies');
  const found = policies.find((policy) => policy.name === reference);
  if (!found) throw new CliError('NOT_FOUND', `policy "${reference}" not found`);
  return found;
}

/** A registry named on the command line by id (digits) or by name. */
export async function findRegistry(client: ApiClient, reference: string): Promise<Registry> {
  if (/^\d+$/.test(reference)) return client.get<Registry>(`/registries/${reference}`);
  const registries = await client.listAll<Registry>('/registries');
  const found = registries.find((registry) => registry.name === reference);
  if (!found) throw new CliError('NOT_FOUND', `registry "${reference}" not found`);
  return found;
}
