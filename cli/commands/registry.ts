import { RegistryInput, parseInput, type Registry } from '../../policies/index.js';
import { errorCode } from '../../errors/regatta-error.js';
import type { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import { findRegistry } from './lookup.js';
import { formatTable, printJson } from './output.js';

export interface RegistryAddOptions {
  name: string;
  url: string;
  type?: string | undefined;
  description?: string | undefined;
  insecure: boolean;
  accessKey?: string | undefined;
  /** The name of an environment variable holding the secret: never a secret on the command line. */
  accessSecretEnv?: string | undefined;
  json: boolean;
  env: NodeJS.ProcessEnv;
}

/** The registry body `registry add` sends, validated with the API's own schema. */
export function registryAddBody(options: Omit<RegistryAddOptions, 'json'>): RegistryInput {
  let secret = '';
  if (options.accessSecretEnv) {
    const value = options.env[options.accessSecretEnv];
    if (value === undefined)
      throw new CliError('MISSING_VARIABLE', `environment variable ${options.accessSecretEnv} is not set`);
    secret = value;
  }
  const body = {
    name: options.name,
    url: options.url,
    ...(options.type ? { type: options.type } : {}),
    ...(options.description ? { description: options.description } : {}),
    insecure: options.insecure,
    ...(options.accessKey || secret
      ? { credential: { type: 'basic', access_key: options.accessKey ?? '', access_secret: secret } }
      : {}),
  };
  try {
    return parseInput(RegistryInput, body, 'registry');
  } catch (error) {
    if (errorCode(error) === 'INVALID_INPUT') throw new CliError('USAGE', (error as Error).message);
    throw error;
  }
}

/** `regatta registry add NAME URL`. */
export async function registryAdd(client: ApiClient, options: RegistryAddOptions): Promise<number> {
  const id = await client.create('/registries', registryAddBody(options));
  if (options.json) printJson({ id, name: options.name });
  else process.stdout.write(`+ registry ${options.name} (id ${id})\n`);
  return 0;
}

/** `regatta registry list`: secrets are masked by the API and not shown at all here. */
export async function registryList(client: ApiClient, options: { json: boolean }): Promise<number> {
  const registries = await client.listAll<Registry>('/registries');
  if (options.json) {
    printJson(registries);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'NAME', 'TYPE', 'URL', 'INSECURE', 'CREDENTIAL'],
      registries.map((registry) => [
        String(registry.id),
        registry.name,
        registry.type,
        registry.url,
        String(registry.insecure),
        registry.credential.type === 'docker_config'
          ? `docker config ${registry.credential.config_path}`
          : registry.credential.access_key || '(anonymous)',
      ]),
    ),
  );
  return 0;
}

/** `regatta registry ping NAME|ID`: whether Regatta can reach and log in to the registry. */
export async function registryPing(
  client: ApiClient,
  reference: string,
  options: { json: boolean },
): Promise<number> {
  const registry = await findRegistry(client, reference);
  await client.call('POST', '/registries/ping', { id: registry.id });
  if (options.json) printJson({ id: registry.id, name: registry.name, reachable: true });
  else process.stdout.write(`registry ${registry.name} (${registry.url}) is reachable\n`);
  return 0;
}
