import { registryApi } from '../policies/index.js';
import {
  createRegistryClient,
  endpointOf,
  RateBudget,
  type RegistryAccessRules,
  type RegistryClient,
} from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { RegistryClients } from './registry-clients.js';

/**
 * Registry clients built from the store, one per registry and kept for its connection pool.
 * Credentials are resolved here, where they are used: the stored secret opened, a Docker config
 * read (from the rules' folder only); every connection stays within the rules' allow-list. A
 * registry edited in the store gets a new client; the old one is closed only at shutdown, since
 * activities may still be using it. Each registry has one rate budget in the worker, which
 * outlives its clients: every activity using the registry spends from it.
 */
export function createStoreRegistryClients(store: Store, rules: RegistryAccessRules): RegistryClients {
  const current = new Map<number, { updateTime: string; name: string; client: RegistryClient }>();
  const budgets = new Map<number, RateBudget>();
  const retired: RegistryClient[] = [];
  return {
    async get(registryId) {
      const registry = await store.registries.getWithSecrets(registryId);
      const cached = current.get(registryId);
      if (cached?.updateTime === registry.update_time) return cached.client;
      if (cached) retired.push(cached.client);
      const budget = budgets.get(registryId) ?? new RateBudget();
      budgets.set(registryId, budget);
      const client = createRegistryClient(
        { ...(await endpointOf(registry, rules)), ...registryApi(registry) },
        { rateBudget: budget },
      );
      current.set(registryId, { updateTime: registry.update_time, name: registry.name, client });
      return client;
    },
    nameOf(registryId) {
      return current.get(registryId)?.name ?? String(registryId);
    },
    async close() {
      const clients = [...retired, ...[...current.values()].map((entry) => entry.client)];
      current.clear();
      retired.length = 0;
      await Promise.allSettled(clients.map((client) => client.close()));
    },
  };
}
