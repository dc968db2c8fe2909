import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CliError } from './cli-error.js';
import { flagsOf, type CommandSpec } from './command-specs.js';

export interface ParsedArguments {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** node:util's parseArgs with the command's flags (connection flags too for client commands); a bad flag is a USAGE error. */
export function parseCommandArguments(argv: readonly string[], spec: CommandSpec): ParsedArguments {
  const options = Object.fromEntries(
    Object.entries(flagsOf(spec)).map(([name, { type, short }]) => [
      name,
      short ? { type, short } : { type },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArguments['values'], positionals };
  } catch (error) {
    throw new CliError('USAGE', error instanceof Error ? error.message : String(error));
  }
}

export const Connection = z.object({
  /** The API's origin, e.g. http://localhost:8080; `/api/v2.0` is added by the client. */
  baseUrl: z.string(),
  authorization: z.string(),
});
export type Connection = z.infer<typeof Connection>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Where and as whom to call the API: a flag wins over its environment variable
 * (REGATTA_URL, REGATTA_TOKEN, REGATTA_USER, REGATTA_PASSWORD); a token wins over a password.
 */
export function resolveConnection(values: ParsedArguments['values'], env: NodeJS.ProcessEnv): Connection {
  const url = text(values.url) ?? text(env.REGATTA_URL);
  if (!url) throw new CliError('USAGE', 'no API URL: pass --url or set REGATTA_URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('USAGE', `--url: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliError('USAGE', '--url: must be an http:// or https:// URL');
  if (parsed.username || parsed.password)
    throw new CliError('USAGE', '--url: put credentials in --user/--password or --token, not the URL');
  const baseUrl = parsed
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/api\/v2\.0$/, '');

  const flagToken = text(values.token);
  const flagPassword = text(values.password);
  if (flagToken && flagPassword) throw new CliError('USAGE', 'pass --token or --password, not both');
  const token = flagToken ?? (flagPassword ? undefined : text(env.REGATTA_TOKEN));
  if (token) return { baseUrl, authorization: `Bearer ${token}` };
  const password = flagPassword ?? text(env.REGATTA_PASSWORD);
  if (!password)
    throw new CliError(
      'USAGE',
      'no credentials: pass --token or --password (or set REGATTA_TOKEN or REGATTA_PASSWORD)',
    );
  const user = text(values.user) ?? text(env.REGATTA_USER) ?? 'admin';
  return { baseUrl, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
