import { registryApi } from '../policies/index.js';
import {
  createRegistryClient,
  endpointOf,
  RateBudget,
  RequestLimiter,
  type RegistryAccessRules,
  type RegistryClient,
} from '../registry/index.js';
import type { RegistryLimits } from '../policies/index.js';
import type { Store } from '../store/index.js';
import type { RegistryClients } from './registry-clients.js';

/** How a worker connects to registries; from its configuration. */
export interface ConnectionSettings {
  /**
   * Connections (and requests in flight) per registry when the registry sets no lower limit: the
   * worker's activities times the blobs each copies at once, plus one each for small requests.
   */
  poolSize: number;
  /** A request with no answer for this long fails, and so does one waiting this long for a connection. */
  stallTimeoutMs: number;
}

/** The pool a worker keeps to one registry, within the registry's own limits. */
export function poolOf(limits: RegistryLimits, poolSize: number): { connections: number; permits: number } {
  const connections = Math.min(poolSize, limits.max_connections ?? Infinity);
  return { connections, permits: Math.min(connections, limits.max_requests_in_flight ?? Infinity) };
}

/**
 * Registry clients built from the store, one per registry and kept for its connection pool.
 * Credentials are resolved here, where they are used: the stored secret opened, a Docker config
 * read (from the rules' folder only); every connection stays within the rules' allow-list. A
 * registry edited in the store gets a new client; the old one is closed only at shutdown, since
 * activities may still be using it. Both share the registry's one limiter of requests in flight,
 * so its limit holds across every run of the worker. Each registry has one rate budget in the
 * worker, which outlives its clients: every activity using the registry spends from it.
 */
export function createStoreRegistryClients(
  store: Store,
  rules: RegistryAccessRules,
  settings: ConnectionSettings,
): RegistryClients {
  const current = new Map<number, { updateTime: string; name: string; client: RegistryClient }>();
  const limiters = new Map<number, RequestLimiter>();
  const budgets = new Map<number, RateBudget>();
  const retired: RegistryClient[] = [];
  return {
    async get(registryId) {
      const registry = await store.registries.getWithSecrets(registryId);
      const cached = current.get(registryId);
      if (cached?.updateTime === registry.update_time) return cached.client;
      if (cached) retired.push(cached.client);
      const { connections, permits } = poolOf(registry, settings.poolSize);
      let limiter = limiters.get(registryId);
      if (limiter) limiter.resize(permits);
      else limiters.set(registryId, (limiter = new RequestLimiter(permits)));
      const budget = budgets.get(registryId) ?? new RateBudget();
      budgets.set(registryId, budget);
      const client = createRegistryClient(
        {
          ...(await endpointOf(registry, rules)),
          ...registryApi(registry),
          connections,
          timeoutMs: settings.stallTimeoutMs,
        },
        { limiter, poolWaitMs: settings.stallTimeoutMs, rateBudget: budget },
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
