import { InvalidInputError } from '../errors/regatta-error.js';
import { registryOrigin, type RegistryCredential } from '../oci/index.js';
import {
  maskedSecret,
  type RegistryDefinition,
  type RegistryInput,
  type RegistryUpdate,
} from './registry.js';

/** A registry URL as stored: its origin (lower-case host, no default port, no trailing slash). */
function normalizeUrl(url: string): string {
  return registryOrigin(url);
}

// A URL stored before the URL rules were this strict may not parse: it is its own origin.
function originOf(url: string): string {
  try {
    return registryOrigin(url);
  } catch {
    return url;
  }
}

/** Anonymous when both key and secret are empty, as Harbor's UI sends it. */
function normalizeCredential(
  credential: RegistryCredential,
  existing: RegistryCredential | null,
  prefix: 'credential.' | '',
): RegistryCredential | null {
  if (credential.type !== 'basic') return credential;
  let secret = credential.access_secret;
  if (secret === maskedSecret) {
    if (existing?.type !== 'basic' || existing.access_secret === '') {
      throw new InvalidInputError(
        `${prefix}access_secret: is "${maskedSecret}" but no secret is stored`,
        `${prefix}access_secret`,
      );
    }
    secret = existing.access_secret;
  }
  if (credential.access_key === '' && secret === '') return null;
  if (credential.access_key === '') {
    throw new InvalidInputError(`${prefix}access_key: is required with a secret`, `${prefix}access_key`);
  }
  return { type: 'basic', access_key: credential.access_key, access_secret: secret };
}

/** A new registry's definition, secrets in clear: Harbor's defaults applied, an anonymous credential dropped. */
export function registryFromInput(input: RegistryInput): RegistryDefinition {
  if (input.webhook_secret === maskedSecret) {
    throw new InvalidInputError(
      `webhook_secret: is "${maskedSecret}" but no secret is stored`,
      'webhook_secret',
    );
  }
  return {
    name: input.name,
    url: normalizeUrl(input.url),
    type: input.type ?? 'docker-registry',
    description: input.description ?? '',
    insecure: input.insecure ?? false,
    ca_certificate: input.ca_certificate || null,
    credential: input.credential ? normalizeCredential(input.credential, null, 'credential.') : null,
    webhook_secret: input.webhook_secret || null,
    max_connections: input.max_connections || null,
    max_requests_in_flight: input.max_requests_in_flight || null,
  };
}

/** Whether an update sends a basic secret of its own (not `"*****"`, which means the stored one). */
function sendsSecret(update: RegistryUpdate): boolean {
  const nested = update.credential?.type === 'basic' ? update.credential.access_secret : undefined;
  return [nested, update.access_secret].some((secret) => secret != null && secret !== maskedSecret);
}

/**
 * Harbor's update semantics: a field left out or null is unchanged; a secret sent back as
 * `"*****"` keeps the stored one; the flat `credential_type`/`access_key`/`access_secret` of
 * Harbor's RegistryUpdate and the nested `credential` of a Registry both work. A stored secret
 * stays with the origin it was stored for: an update (or a ping) that moves the registry to
 * another origin must send the secret again, else the stored one would go to the new origin.
 */
export function applyRegistryUpdate(stored: RegistryDefinition, update: RegistryUpdate): RegistryDefinition {
  const next: RegistryDefinition = { ...stored };
  if (update.name != null) next.name = update.name;
  if (update.url != null) next.url = normalizeUrl(update.url);
  if (update.type != null) next.type = update.type;
  if (update.description != null) next.description = update.description;
  if (update.insecure != null) next.insecure = update.insecure;
  if (update.ca_certificate != null) next.ca_certificate = update.ca_certificate || null;
  if (update.credential != null)
    next.credential = normalizeCredential(update.credential, stored.credential, 'credential.');
  if (update.credential_type != null || update.access_key != null || update.access_secret != null) {
    const current =
      next.credential?.type === 'basic'
        ? next.credential
        : { type: 'basic' as const, access_key: '', access_secret: '' };
    const flat = {
      type: 'basic' as const,
      access_key: update.access_key ?? current.access_key,
      access_secret: update.access_secret ?? current.access_secret,
    };
    next.credential = normalizeCredential(flat, next.credential, '');
  }
  if (update.webhook_secret != null && update.webhook_secret !== maskedSecret)
    next.webhook_secret = update.webhook_secret || null;
  const from = originOf(stored.url);
  const to = originOf(next.url);
  if (
    from !== to &&
    next.credential?.type === 'basic' &&
    next.credential.access_secret !== '' &&
    !sendsSecret(update)
  ) {
    const field = update.credential != null ? 'credential.access_secret' : 'access_secret';
    throw new InvalidInputError(
      `${field}: the url moves the registry from ${from} to ${to}; send the secret again ` +
        '(a stored secret is only sent to the origin it was stored for)',
      field,
    );
  }
  // 0 removes a limit: null in an update means "unchanged", as for every other field.
  if (update.max_connections != null) next.max_connections = update.max_connections || null;
  if (update.max_requests_in_flight != null)
    next.max_requests_in_flight = update.max_requests_in_flight || null;
  return next;
}
