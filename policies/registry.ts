import { z } from 'zod';
import { BasicCredential, RegistryAccess, RegistryCredential } from '../oci/index.js';
import { nullishFields } from './nullish-fields.js';

/** What the API returns in place of every secret; sent back in a body, it keeps the stored one. */
export const maskedSecret = '*****';

/** Harbor's adapter names; `docker-hub` reaches Docker Hub's registry API whatever its URL says (registry-api.ts). */
export const RegistryType = z.enum(['docker-registry', 'harbor', 'docker-hub']);
export type RegistryType = z.infer<typeof RegistryType>;

// In a body, `""` removes the secret and `"*****"` (copied from a GET) keeps it.
const WebhookSecret = z
  .string()
  .max(256)
  .refine(
    (secret) => secret === '' || secret === maskedSecret || secret.length >= 16,
    'must be at least 16 characters',
  )
  .meta({ anyOf: [{ maxLength: 0 }, { const: maskedSecret }, { minLength: 16 }] });

// Upper bound of both limits: far above any pool a worker keeps.
const Limit = z.number().int().min(0).max(1024).nullable();

/**
 * Regatta's limits on how hard each worker uses one registry: connections it keeps open to it, and
 * requests it has in flight there (the lower of the two holds). Unset (null, or 0 in a body):
 * the worker's own pool size, which follows its activity and blob concurrency.
 */
export const RegistryLimits = z.object({
  max_connections: Limit,
  max_requests_in_flight: Limit,
});
export type RegistryLimits = z.infer<typeof RegistryLimits>;

/**
 * A registry as Regatta keeps it: Harbor's Registry plus the write-only `webhook_secret` and the
 * connection limits. Every
 * other shape of a registry is derived from this one schema: the bodies of POST, PUT and ping,
 * the stored record and the API's view.
 */
export const RegistryDefinition = z.object({
  name: z.string().trim().min(1).max(255),
  ...RegistryAccess.shape,
  type: RegistryType,
  description: z.string().max(1024),
  webhook_secret: WebhookSecret.nullable(),
  ...RegistryLimits.shape,
});
export type RegistryDefinition = z.infer<typeof RegistryDefinition>;

/**
 * A stored registry: its definition, id and times. Read from the store its secrets are
 * `"*****"` where set; only the worker's registry clients read them in clear.
 */
export const StoredRegistry = RegistryDefinition.extend({
  id: z.number().int(),
  creation_time: z.string(),
  update_time: z.string(),
});
export type StoredRegistry = z.infer<typeof StoredRegistry>;

// Fields a client copies back from a GET: accepted and ignored, documented as read-only (so
// clients, fuzzers included, do not take a body's `id` for the registry's).
const readOnly = <Schema extends z.ZodType>(schema: Schema) =>
  schema.nullable().optional().meta({ readOnly: true });
const readOnlyFields = {
  id: readOnly(z.number().int().positive()),
  status: readOnly(z.unknown()),
  creation_time: readOnly(z.unknown()),
  update_time: readOnly(z.unknown()),
};

/** A body whose `field` (or `credential.field`) is `"*****"`: it keeps a stored secret, so a new registry has none. */
const keepsSecret = (field: string, nested?: string) => ({
  required: [field],
  properties: {
    [field]: nested
      ? { type: 'object', required: [nested], properties: { [nested]: { const: maskedSecret } } }
      : { const: maskedSecret },
  },
});

/**
 * The body of `POST /registries`: a definition with Harbor's defaults left out. `"*****"` keeps
 * a stored secret, so it is refused here (registryFromInput); the document says so.
 */
export const RegistryInput = RegistryDefinition.partial()
  .required({ name: true, url: true })
  .extend(readOnlyFields)
  .strict()
  .meta({
    allOf: [{ not: keepsSecret('webhook_secret') }, { not: keepsSecret('credential', 'access_secret') }],
  });
export type RegistryInput = z.infer<typeof RegistryInput>;

/** Harbor's flat credential fields of RegistryUpdate and of the ping body. */
const flatCredential = {
  credential_type: z.enum(['basic']),
  access_key: BasicCredential.shape.access_key,
  access_secret: BasicCredential.shape.access_secret,
};

/**
 * The body of `PUT /registries/{id}`: Harbor's RegistryUpdate (flat credential fields) and the
 * nested `credential` of a Registry alike; a field left out or null is unchanged.
 */
export const RegistryUpdate = z
  .strictObject({
    ...nullishFields({ ...RegistryDefinition.shape, ...flatCredential }),
    ...readOnlyFields,
  })
  // An emptied key with a secret is refused whatever is stored (applyRegistryUpdate).
  .meta({
    not: {
      required: ['access_key', 'access_secret'],
      properties: { access_key: { maxLength: 0 }, access_secret: { type: 'string', minLength: 1 } },
    },
  });
export type RegistryUpdate = z.infer<typeof RegistryUpdate>;

/** The body of `POST /registries/ping`: a stored registry by `id`, a new one by `url`, or both. */
export const RegistryPing = RegistryUpdate.pick({
  type: true,
  url: true,
  credential_type: true,
  access_key: true,
  access_secret: true,
  insecure: true,
  ca_certificate: true,
})
  .extend({ id: z.number().int().positive().nullable().optional() })
  .meta({
    // A stored registry to lay the body over, or a URL to ask (pingRegistry refuses neither).
    anyOf: [
      { required: ['id'], properties: { id: { type: 'integer' } } },
      { required: ['url'], properties: { url: { type: 'string' } } },
    ],
  });
export type RegistryPing = z.infer<typeof RegistryPing>;

/** A registry as the API returns it: Harbor's shape, every secret that is set reads `"*****"`. */
export const Registry = StoredRegistry.extend({
  ca_certificate: z.string().optional(),
  /** Anonymous reads as Harbor shows it: a basic credential with empty key and secret. */
  credential: RegistryCredential,
  webhook_secret: z.literal(maskedSecret).optional(),
  status: z.enum(['healthy', 'unhealthy', 'unknown']),
});
export type Registry = z.infer<typeof Registry>;

/** Renders a stored registry (secrets already masked by the store) in Harbor's shape. */
export function registryView(registry: StoredRegistry): Registry {
  const { ca_certificate, credential, webhook_secret, ...rest } = registry;
  return {
    ...rest,
    ...(ca_certificate !== null ? { ca_certificate } : {}),
    credential: credential ?? { type: 'basic', access_key: '', access_secret: '' },
    ...(webhook_secret !== null ? { webhook_secret: maskedSecret } : {}),
    status: 'unknown',
  };
}
