import { errorCode } from '../errors/regatta-error.js';
import { maskedSecret, type RegistryPing } from '../policies/index.js';
import { createRegistryClient, type RegistryEndpoint } from '../registry/index.js';
import type { RegistryStore } from '../store/index.js';
import { RegistryUnhealthyError } from './http-errors.js';
import { InvalidInputError } from '../errors/regatta-error.js';

/** Asks a registry `GET /v2/`; resolves when it answers 200 with the credentials given. */
export type PingRegistry = (endpoint: RegistryEndpoint) => Promise<void>;

const pingTimeoutMs = 10_000;

export const pingWithClient: PingRegistry = async (endpoint) => {
  const client = createRegistryClient({ ...endpoint, timeoutMs: pingTimeoutMs });
  try {
    await client.ping({ signal: AbortSignal.timeout(pingTimeoutMs) });
  } finally {
    await client.close();
  }
};

// What a failed ping says, by the registry client's error code; never the registry's own words.
const verdicts: Record<string, [field: string, message: string]> = {
  REGISTRY_UNAUTHORIZED: ['credential', 'the registry refused the credentials'],
  REGISTRY_DENIED: ['credential', 'the credentials may not use the registry'],
  REGISTRY_TLS: ['ca_certificate', 'the TLS certificate of the registry is not trusted'],
  REGISTRY_NETWORK: ['url', 'the registry did not answer'],
  ABORTED: ['url', `the registry did not answer within ${pingTimeoutMs / 1000} s`],
};

/** The endpoint a ping body names: a stored registry (`id`) with the body's fields laid over it, or a new one. */
export async function pingEndpoint(body: RegistryPing, registries: RegistryStore): Promise<RegistryEndpoint> {
  const stored = body.id != null ? await registries.getWithCredentials(body.id) : undefined;
  const url = body.url ?? stored?.url;
  if (!url) throw new InvalidInputError('url: is required without an id', 'url');
  let credentials = stored?.credentials;
  if (body.access_key != null || body.access_secret != null) {
    const storedPassword = credentials && 'password' in credentials ? credentials.password : undefined;
    const password =
      body.access_secret === maskedSecret ? storedPassword : (body.access_secret ?? storedPassword);
    if (password === undefined && body.access_secret === maskedSecret) {
      throw new InvalidInputError(
        `access_secret: is "${maskedSecret}" but no secret is stored`,
        'access_secret',
      );
    }
    const username =
      body.access_key ?? (credentials && 'username' in credentials ? credentials.username : '');
    credentials = username === '' && !password ? undefined : { username, password: password ?? '' };
    if (credentials && username === '')
      throw new InvalidInputError('access_key: is required with a secret', 'access_key');
  }
  const caPem = body.ca_certificate ?? stored?.ca_certificate;
  return {
    url,
    ...(credentials ? { credentials } : {}),
    ...(caPem ? { caPem } : {}),
    insecure: body.insecure ?? stored?.insecure ?? false,
  };
}

/** Runs the ping and turns a failure into a 400 that says which setting to look at. */
export async function checkRegistry(ping: PingRegistry, endpoint: RegistryEndpoint): Promise<void> {
  try {
    await ping(endpoint);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'INVALID_INPUT') throw error;
    const [field, message] = verdicts[code ?? ''] ?? ['url', 'the registry did not answer GET /v2/ with 200'];
    throw new RegistryUnhealthyError(`${field}: ${message} (${code ?? 'UNKNOWN'})`, field);
  }
}
