import { z } from 'zod';
import { DockerConfigCredential, RegistryType } from '../policies/index.js';
import type { RegistryCredentials } from '../registry/endpoint.js';

/** A stored registry without its secrets: whether they are set, never what they are. */
export const RegistryRecord = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  type: RegistryType,
  description: z.string(),
  insecure: z.boolean(),
  ca_certificate: z.string().optional(),
  credential: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('basic'), access_key: z.string(), has_secret: z.boolean() }),
      DockerConfigCredential,
    ])
    .optional(),
  has_webhook_secret: z.boolean(),
  creation_time: z.string(),
  update_time: z.string(),
});
export type RegistryRecord = z.infer<typeof RegistryRecord>;

/** What an activity needs to open a client: the record with credentials in clear. */
export interface RegistryWithCredentials extends RegistryRecord {
  credentials?: RegistryCredentials;
}
