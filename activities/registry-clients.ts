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
