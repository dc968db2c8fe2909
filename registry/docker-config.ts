import { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';
import type { RegistryCredentials } from './endpoint.js';

const DockerAuthEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});

/** The part of `~/.docker/config.json` that `docker login` writes. */
const DockerConfig = z.object({ auths: z.record(z.string(), DockerAuthEntry).default({}) });

// Keys are written as `host[:port]`, `https://host[:port]` or `https://host/v1/` by various tools.
function hostOfKey(key: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(key) ? key : `https://${key}`;
  try {
    return new URL(withScheme).host.toLowerCase();
  } catch {
    return key.toLowerCase();
  }
}

/**
 * The credentials a Docker config.json holds for `host` (`registry.example:5000`), or undefined.
 * Accepts the file's text or its parsed object.
 */
export function credentialsFromDockerConfig(
  json: string | unknown,
  host: string,
): RegistryCredentials | undefined {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new InvalidInputError('docker config is not valid JSON', 'dockerConfig');
    }
  }
  const config = DockerConfig.safeParse(parsed);
  if (!config.success) throw new InvalidInputError('docker config has no valid "auths"', 'dockerConfig');
  const wanted = host.toLowerCase();
  const entry = Object.entries(config.data.auths).find(([key]) => hostOfKey(key) === wanted)?.[1];
  if (!entry) return undefined;
  if (entry.identitytoken) return { identitytoken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw new InvalidInputError(`docker config auth for ${host} is not user:password`, 'auth');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password !== undefined) {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}
