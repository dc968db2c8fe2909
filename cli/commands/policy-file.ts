import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { errorCode } from '../../errors/regatta-error.js';
import { RegistryInput, fieldPath, parseInput } from '../../policies/index.js';
import { CliError } from './cli-error.js';

/** A registry named in a policy file: `hq` or `{name: hq}`. */
const RegistryName = z.union([
  z.string().trim().min(1),
  z.strictObject({ name: z.string().trim().min(1) }).transform((ref) => ref.name),
]);

/**
 * A policy in a file: Harbor's ReplicationPolicy body with registries by name. The rest is
 * checked by the API's own schema once the names are resolved to ids.
 */
export const PolicyEntry = z.looseObject({
  name: z.string().trim().min(1).max(255),
  src_registry: RegistryName,
  dest_registry: RegistryName.optional(),
  dest_registries: z.array(RegistryName).min(1).optional(),
});
export type PolicyEntry = z.infer<typeof PolicyEntry>;

/** One policy file: `registries` (Harbor registry bodies) and `policies`, both optional. */
export const PolicyFile = z.strictObject({
  registries: z.array(z.unknown()).optional(),
  policies: z.array(z.unknown()).optional(),
});

export interface LoadedRegistry {
  input: RegistryInput;
  source: string;
}
export interface LoadedPolicy {
  entry: PolicyEntry;
  source: string;
}
export interface LoadedFiles {
  files: string[];
  registries: LoadedRegistry[];
  policies: LoadedPolicy[];
}

const variable = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string of a parsed file with the
 * environment's value, so secrets stay out of git; `$${` is a literal `${`. Substituting
 * after parsing means a value can never change the file's structure.
 */
export function substituteVariables(value: unknown, env: NodeJS.ProcessEnv, where = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(variable, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const found = env[name!];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      throw new CliError('MISSING_VARIABLE', `${where || 'value'}: environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value))
    return value.map((item, index) => substituteVariables(item, env, fieldPath([where, index])));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substituteVariables(item, env, where ? `${where}.${key}` : key),
      ]),
    );
  }
  return value;
}

const extensions = new Set(['.yaml', '.yml', '.json']);

/** The files `-f` names: the file itself, or a directory's YAML and JSON files (not recursive), sorted. */
export function policyFilePaths(path: string): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new CliError('INVALID_FILE', `${path}: no such file or directory`);
  }
  if (!stats.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((name) => extensions.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) throw new CliError('INVALID_FILE', `${path}: no .yaml, .yml or .json files`);
  return files;
}

function invalid(source: string, error: unknown): never {
  if (errorCode(error) === 'INVALID_INPUT')
    throw new CliError('INVALID_FILE', `${source}: ${(error as Error).message}`);
  throw error;
}

/** Parses one file's text (YAML is a superset of JSON) into registries and policy entries. */
export function parsePolicyFile(
  file: string,
  text: string,
  env: NodeJS.ProcessEnv,
): Omit<LoadedFiles, 'files'> {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new CliError(
      'INVALID_FILE',
      `${file}: not YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  // An empty file holds nothing; a file that is all comments too.
  if (document === null || document === undefined) return { registries: [], policies: [] };
  const parsed = (() => {
    try {
      return parseInput(PolicyFile, document, 'file');
    } catch (error) {
      return invalid(file, error);
    }
  })();
  const registries = (parsed.registries ?? []).map((raw, index) => {
    const source = `${file}: registries[${index}]`;
    const substituted = substituteVariables(raw, env, `registries[${index}]`);
    try {
      return { input: parseInput(RegistryInput, substituted, 'registry'), source };
    } catch (error) {
      if (error instanceof CliError) throw error;
      return invalid(source, error);
    }
  });
  const policies = (parsed.policies ?? []).map((raw, index) => {
    const source = `${file}: policies[${index}]`;
    const substituted = substituteVariables(raw, env, `policies[${index}]`);
    try {
      return { entry: parseInput(PolicyEntry, substituted, 'policy'), source };
    } catch (error) {
      return invalid(source, error);
    }
  });
  return { registries, policies };
}

function rejectDuplicates(kind: string, items: ReadonlyArray<{ name: string; source: string }>): void {
  const seen = new Map<string, string>();
  for (const item of items) {
    const first = seen.get(item.name);
    if (first)
      throw new CliError(
        'INVALID_FILE',
        `${item.source}: ${kind} "${item.name}" is also defined at ${first}`,
      );
    seen.set(item.name, item.source);
  }
}

/** Loads every file `-f` names; names must be unique across all of them. */
export function loadPolicyFiles(path: string, env: NodeJS.ProcessEnv): LoadedFiles {
  const files = policyFilePaths(path);
  const loaded: LoadedFiles = { files, registries: [], policies: [] };
  for (const file of files) {
    const parsed = parsePolicyFile(file, readFileSync(file, 'utf8'), env);
    loaded.registries.push(...parsed.registries);
    loaded.policies.push(...parsed.policies);
  }
  rejectDuplicates(
    'registry',
    loaded.registries.map((registry) => ({ name: registry.input.name, source: registry.source })),
  );
  rejectDuplicates(
    'policy',
    loaded.policies.map((policy) => ({ name: policy.entry.name, source: policy.source })),
  );
  return loaded;
}
