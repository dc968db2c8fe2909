import { errorCode, InvalidInputError, RegattaError } from '../errors/regatta-error.js';
import { applyRegistryUpdate, registryApi, registryFromInput, type RegistryPing } from '../policies/index.js';
import { createRegistryClient, endpointOf, type RegistryAccessRules } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { checkRegistryAccess } from './registry-access-check.js';

/** `POST /registries/ping` reached a verdict: the registry is not usable as configured. */
export class RegistryUnhealthyError extends RegattaError {
  readonly code = 'REGISTRY_UNHEALTHY';
  readonly retryable = false;

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

const pingTimeoutMs = 10_000;

// What a failed ping says, by the registry client's error code; never the registry's own words.
const verdicts: Record<string, [field: string, message: string]> = {
  REGISTRY_UNAUTHORIZED: ['credential', 'the registry refused the credentials'],
  REGISTRY_DENIED: ['credential', 'the credentials may not use the registry'],
  REGISTRY_TLS: ['ca_certificate', 'the TLS certificate of the registry is not trusted'],
  REGISTRY_NETWORK: ['url', 'the registry did not answer'],
  REGISTRY_NOT_ALLOWED: ['url', 'the registry, or where it sent Regatta, is outside REGATTA_REGISTRY_ALLOW'],
  REGISTRY_REALM_REFUSED: ['url', 'the registry names a token realm Regatta sends no credentials to'],
  ENVIRONMENT: ['credential.config_path', 'the Docker config cannot be read'],
  ABORTED: ['url', `the registry did not answer within ${pingTimeoutMs / 1000} s`],
};

/**
 * Asks the registry a ping body names `GET /v2/`: a stored registry (`id`) with the body's fields
 * laid over it as an update would lay them (so a new url needs the secret again), or a new one.
 * Resolves when it answers 200 with the credentials given; a failure is a 400 that says which
 * setting to look at.
 */
export async function pingRegistry(
  store: Store,
  body: RegistryPing,
  rules: RegistryAccessRules,
): Promise<void> {
  if (body.id == null && body.url == null)
    throw new InvalidInputError('url: is required without an id', 'url');
  // A registry not stored yet: Harbor's defaults, and the body says the rest.
  const stored =
    body.id != null
      ? await store.registries.getWithSecrets(body.id)
      : registryFromInput({ name: 'ping', url: body.url! });
  const access = applyRegistryUpdate(stored, body);
  await checkRegistryAccess(rules, access);
  try {
    const client = createRegistryClient({
      ...(await endpointOf(access, rules)),
      ...registryApi(access),
      timeoutMs: pingTimeoutMs,
    });
    try {
      await client.ping({ signal: AbortSignal.timeout(pingTimeoutMs) });
    } finally {
      await client.close();
    }
  } catch (error) {
    throw registryVerdict(error, 'the registry did not answer GET /v2/ with 200');
  }
}

/**
 * What a registry's failure says of its settings, as a 400 naming the setting to look at;
 * `otherwise` when the client's error code says nothing about them. Invalid input passes as is.
 */
export function registryVerdict(error: unknown, otherwise: string): Error {
  const code = errorCode(error);
  if (code === 'INVALID_INPUT') return error as Error;
  const [field, message] = verdicts[code ?? ''] ?? ['url', otherwise];
  return new RegistryUnhealthyError(`${field}: ${message} (${code ?? 'UNKNOWN'})`, field);
}
