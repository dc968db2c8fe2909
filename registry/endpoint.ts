import { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';
import { RegistryUrl } from '../oci/index.js';
import { RegistryAllowList } from './registry-allow-list.js';

export const BasicCredentials = z.object({ username: z.string().min(1), password: z.string() }).strict();
export type BasicCredentials = z.infer<typeof BasicCredentials>;

/** An OAuth2 refresh token, as `docker login` stores for some registries. */
export const IdentityTokenCredentials = z.object({ identitytoken: z.string().min(1) }).strict();
export type IdentityTokenCredentials = z.infer<typeof IdentityTokenCredentials>;

export const RegistryCredentials = z.union([BasicCredentials, IdentityTokenCredentials]);
export type RegistryCredentials = z.infer<typeof RegistryCredentials>;

/** One registry Regatta speaks to: an origin, how to authenticate and how to connect. */
export const RegistryEndpoint = z
  .object({
    url: RegistryUrl,
    credentials: RegistryCredentials.optional(),
    /** Extra CA certificates (PEM) trusted for this registry. */
    caPem: z.string().min(1).optional(),
    /** Explicit opt-in to skip TLS verification (https) or to speak plain HTTP. */
    insecure: z.boolean().optional(),
    /** Connections kept per origin (default 16), which bounds the requests in flight to it. */
    connections: z.number().int().min(1).max(4096).optional(),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
    /** Where every connection may go (REGATTA_REGISTRY_ALLOW); unset, anywhere. */
    allow: z.instanceof(RegistryAllowList).optional(),
    /** Where one-component names live, as Docker Hub keeps `nginx` as `library/nginx`. */
    singleNameNamespace: z
      .string()
      .regex(/^[a-z0-9]+$/)
      .optional(),
  })
  .strict();
export type RegistryEndpoint = z.infer<typeof RegistryEndpoint>;

export function parseRegistryEndpoint(input: unknown): RegistryEndpoint {
  const result = RegistryEndpoint.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || 'endpoint';
    throw new InvalidInputError(`invalid registry endpoint ${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  return result.data;
}
