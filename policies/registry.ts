import { z } from 'zod';
import { RegistryEndpoint } from '../registry/endpoint.js';

/** What the API returns in place of every secret. */
export const maskedSecret = '*****';

export const RegistryType = z.enum(['docker-registry', 'harbor']);
export type RegistryType = z.infer<typeof RegistryType>;

const RegistryUrl = RegistryEndpoint.shape.url;
const CaCertificate = z
  .string()
  .max(65_536)
  .refine((pem) => pem === '' || pem.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM certificates');
// `""` removes the secret; `"*****"` (copied from a GET) keeps it.
const WebhookSecret = z
  .string()
  .max(256)
  .refine(
    (secret) => secret === '' || secret === maskedSecret || secret.length >= 16,
    'must be at least 16 characters',
  );

/** Harbor's credential; empty key and secret (as Harbor's UI sends) mean anonymous. */
export const BasicCredential = z.strictObject({
  type: z.literal('basic'),
  access_key: z.string().max(255),
  access_secret: z.string().max(4096),
});

/** Regatta's addition: read `auths` of a Docker config.json on this host when a run needs them. */
export const DockerConfigCredential = z.strictObject({
  type: z.literal('docker_config'),
  config_path: z.string().min(1).max(4096),
});

export const RegistryCredential = z.discriminatedUnion('type', [BasicCredential, DockerConfigCredential]);
export type RegistryCredential = z.infer<typeof RegistryCredential>;

// Fields a client copies back from a GET; accepted and ignored.
const readOnlyFields = {
  id: z.unknown().optional(),
  status: z.unknown().optional(),
  creation_time: z.unknown().optional(),
  update_time: z.unknown().optional(),
};

/** The body of `POST /registries`: Harbor's Registry, plus the write-only `webhook_secret`. */
export const RegistryInput = z.strictObject({
  name: z.string().trim().min(1).max(255),
  url: RegistryUrl,
  type: RegistryType.optional(),
  description: z.string().max(1024).optional(),
  insecure: z.boolean().optional(),
  ca_certificate: CaCertificate.nullable().optional(),
  credential: RegistryCredential.optional(),
  webhook_secret: WebhookSecret.optional(),
  ...readOnlyFields,
});
export type RegistryInput = z.infer<typeof RegistryInput>;

/**
 * The body of `PUT /registries/{id}`: Harbor's RegistryUpdate (flat credential fields), also the
 * nested `credential` of a Registry. A secret sent back as `"*****"` leaves the stored one as is.
 */
export const RegistryUpdate = z.strictObject({
  name: z.string().trim().min(1).max(255).nullable().optional(),
  url: RegistryUrl.nullable().optional(),
  type: RegistryType.nullable().optional(),
  description: z.string().max(1024).nullable().optional(),
  insecure: z.boolean().nullable().optional(),
  ca_certificate: CaCertificate.nullable().optional(),
  credential_type: z.enum(['basic']).nullable().optional(),
  access_key: z.string().max(255).nullable().optional(),
  access_secret: z.string().max(4096).nullable().optional(),
  credential: RegistryCredential.nullable().optional(),
  webhook_secret: WebhookSecret.nullable().optional(),
  ...readOnlyFields,
});
export type RegistryUpdate = z.infer<typeof RegistryUpdate>;

/** The body of `POST /registries/ping`: a stored registry by `id`, a new one by `url`, or both. */
export const RegistryPing = z.strictObject({
  id: z.number().int().positive().nullable().optional(),
  type: RegistryType.nullable().optional(),
  url: RegistryUrl.nullable().optional(),
  credential_type: z.enum(['basic']).nullable().optional(),
  access_key: z.string().max(255).nullable().optional(),
  access_secret: z.string().max(4096).nullable().optional(),
  insecure: z.boolean().nullable().optional(),
  ca_certificate: CaCertificate.nullable().optional(),
});
export type RegistryPing = z.infer<typeof RegistryPing>;

/** A registry as the API returns it: secrets masked. */
export const Registry = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  type: RegistryType,
  description: z.string(),
  insecure: z.boolean(),
  ca_certificate: z.string().optional(),
  credential: z.union([
    z.object({ type: z.literal('basic'), access_key: z.string(), access_secret: z.string() }),
    DockerConfigCredential,
  ]),
  /** `"*****"` when a webhook secret is set. */
  webhook_secret: z.literal(maskedSecret).optional(),
  status: z.enum(['healthy', 'unhealthy', 'unknown']),
  creation_time: z.string(),
  update_time: z.string(),
});
export type Registry = z.infer<typeof Registry>;
