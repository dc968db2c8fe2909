import type { RegistryClient } from '../registry/index.js';

/**
 * Resolves a registry id to a client, credentials included. Only activities hold it: workflow
 * inputs and history carry ids, never secrets.
 */
export interface RegistryClients {
  get(registryId: number): Promise<RegistryClient>;
  close(): Promise<void>;
}
