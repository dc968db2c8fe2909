import { z } from 'zod';

const hex = '[0-9a-fA-F]{1,4}';
const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** An IPv6 address as RFC 4291 writes it: `::` for one run of zero groups, or `::ffff:` and an IPv4 address. */
const ipv6 = [
  `(${hex}:){7}${hex}`,
  `(${hex}:){1,7}:`,
  ...[1, 2, 3, 4, 5, 6].map((tail) => `(${hex}:){1,${7 - tail}}(:${hex}){1,${tail}}`),
  `:((:${hex}){1,7}|:)`,
  `::([fF]{4}:)?${octet}(\\.${octet}){3}`,
].join('|');
const port = '(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';

/**
 * `http(s)://host[:port]`: the origin a registry answers at, nothing more. IPv6 literals and
 * ports are checked in full, so the OpenAPI document's pattern admits no address a URL parser refuses.
 */
export const RegistryUrl = z
  .string()
  .regex(
    new RegExp(`^https?://(\\[(${ipv6})\\]|[A-Za-z0-9.-]+)(:${port})?/?$`),
    'must be http(s)://host[:port]',
  );

/** Harbor's credential; empty key and secret (as Harbor's UI sends) mean anonymous. */
export const BasicCredential = z
  .strictObject({
    type: z.literal('basic'),
    access_key: z.string().max(255),
    access_secret: z.string().max(4096),
  })
  .refine((credential) => credential.access_key !== '' || credential.access_secret === '', {
    path: ['access_key'],
    message: 'is required with a secret',
  })
  .meta({
    anyOf: [
      { properties: { access_key: { minLength: 1 } } },
      { properties: { access_secret: { maxLength: 0 } } },
    ],
  });
export type BasicCredential = z.infer<typeof BasicCredential>;

/** Regatta's addition: read `auths` of a Docker config.json on the worker's host when a run needs them. */
export const DockerConfigCredential = z.strictObject({
  type: z.literal('docker_config'),
  config_path: z.string().min(1).max(4096),
});
export type DockerConfigCredential = z.infer<typeof DockerConfigCredential>;

export const RegistryCredential = z.discriminatedUnion('type', [BasicCredential, DockerConfigCredential]);
export type RegistryCredential = z.infer<typeof RegistryCredential>;

/** Extra CA certificates (PEM) trusted for one registry; `""` in a body removes them. */
export const CaCertificate = z
  .string()
  .max(65_536)
  .refine((pem) => pem === '' || pem.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM certificates')
  .meta({ anyOf: [{ maxLength: 0 }, { pattern: '-----BEGIN CERTIFICATE-----' }] });

/**
 * How Regatta reaches one registry: where, trusting which certificates (or none: `insecure`),
 * with which credential. Part of every stored registry; what a registry client is built from.
 */
export const RegistryAccess = z.object({
  url: RegistryUrl,
  /** Explicit opt-in to skip TLS verification (https) or to speak plain HTTP. */
  insecure: z.boolean(),
  ca_certificate: CaCertificate.nullable(),
  credential: RegistryCredential.nullable(),
});
export type RegistryAccess = z.infer<typeof RegistryAccess>;
