import { z } from 'zod';

/** `http(s)://host[:port]`: the origin a registry answers at, nothing more. */
export const RegistryUrl = z
  .string()
  .regex(/^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/, 'must be http(s)://host[:port]');

/** Harbor's credential; empty key and secret (as Harbor's UI sends) mean anonymous. */
export const BasicCredential = z.strictObject({
  type: z.literal('basic'),
  access_key: z.string().max(255),
  access_secret: z.string().max(4096),
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
  .refine((pem) => pem === '' || pem.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM certificates');

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
