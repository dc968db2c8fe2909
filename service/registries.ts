import {
  RegistryType,
  registryInfo,
  registryProviderInfos,
  type RegistryInfo,
  type RegistryInput,
  type RegistryPing,
  type RegistryUpdate,
  type StoredRegistry,
} from '../policies/index.js';
import type { RegistryAccessRules } from '../registry/index.js';
import type { ListPage, ListQuery, Store } from '../store/index.js';
import { checkRegistryAccess } from './registry-access-check.js';
import { pingRegistry } from './registry-ping.js';

/**
 * Harbor's registries: kept in the store, secrets masked on every read; ping asks the registry
 * itself. A url or credential the server's rules forbid is refused before it is stored.
 */
export function createRegistries(store: Store, rules: RegistryAccessRules) {
  return {
    list: (query: ListQuery): Promise<ListPage<StoredRegistry>> => store.registries.list(query),
    get: (id: number): Promise<StoredRegistry> => store.registries.get(id),
    async create(input: RegistryInput): Promise<StoredRegistry> {
      await checkRegistryAccess(rules, input);
      return store.registries.create(input);
    },
    async update(id: number, update: RegistryUpdate): Promise<StoredRegistry> {
      await checkRegistryAccess(rules, update);
      return store.registries.update(id, update);
    },
    /** Refused (412) while a policy copies from or to it. */
    delete: (id: number): Promise<void> => store.registries.delete(id),
    ping: (body: RegistryPing): Promise<void> => pingRegistry(store, body, rules),
    /** Harbor's registry info: the filters and triggers a policy reading from it can use. */
    info: async (id: number): Promise<RegistryInfo> => registryInfo(await store.registries.get(id)),
    /** The registry types Regatta speaks (Harbor's adapters), and how each is reached. */
    types: () => RegistryType.options,
    typeInfos: registryProviderInfos,
  };
}
export type Registries = ReturnType<typeof createRegistries>;
