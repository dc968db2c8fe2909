import type { RegistryClient } from '../registry/index.js';

/**
 * Resolves a registry id to a client, credentials included. Only activities hold it: workflow
 * inputs and history carry ids, never secrets.
 */
export interface RegistryClients {
  get(registryId: number): Promise<RegistryClient>;
  /** The registry's name as of its last `get`, for metric labels (its id before that); reads nothing. */
  nameOf(registryId: number): string;
  close(): Promise<void>;
}

/**
 * `clients` with each registry looked up once for as long as the result is used (an activity): a
 * registry edited meanwhile is picked up by the next activity.
 */
export function eachOnce(clients: RegistryClients): RegistryClients {
  const got = new Map<number, Promise<RegistryClient>>();
  return {
    get(registryId) {
      let client = got.get(registryId);
      if (!client) {
        client = clients.get(registryId);
        // A failed lookup is not kept: the next artifact asks again.
        client.catch(() => got.delete(registryId));
        got.set(registryId, client);
      }
      return client;
    },
    nameOf: (registryId) => clients.nameOf(registryId),
    close: () => clients.close(),
  };
}
