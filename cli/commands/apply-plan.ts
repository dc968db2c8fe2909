import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  ReplicationPolicyInput,
  parseInput,
  policyDefinitionFromInput,
  type PolicyDefinition,
  type Registry,
  type RegistryInput,
  type ReplicationPolicy,
} from '../../policies/index.js';
import { errorCode } from '../../errors/regatta-error.js';
import { registryOrigin } from '../../oci/index.js';
import { CliError } from './cli-error.js';
import type { LoadedFiles, PolicyEntry } from './policy-file.js';

export const ChangeAction = z.enum(['create', 'update', 'unchanged', 'prune']);
export type ChangeAction = z.infer<typeof ChangeAction>;

export const FieldChange = z.object({ field: z.string(), before: z.string(), after: z.string() });
export type FieldChange = z.infer<typeof FieldChange>;

export const Change = z.object({
  kind: z.enum(['registry', 'policy']),
  name: z.string(),
  action: ChangeAction,
  /** The server's id, when the object exists there. */
  id: z.number().int().optional(),
  fields: z.array(FieldChange),
});
export type Change = z.infer<typeof Change>;

/** Drops null and undefined members, so "left out" and "null" compare equal. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined && item !== null)
        .map(([key, item]) => [key, canonical(item)]),
    );
  }
  return value;
}

function display(value: unknown): string {
  const text = value === undefined ? '(none)' : JSON.stringify(canonical(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function compare(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  return keys
    .filter((key) => !isDeepStrictEqual(canonical(before[key]), canonical(after[key])))
    .map((key) => ({ field: key, before: display(before[key]), after: display(after[key]) }));
}

/**
 * What can be compared of a registry. Secrets are write-only (the API masks them), so only
 * whether one is set is compared, and displayed: a rotated secret alone is not a change.
 */
export function registryState(registry: RegistryInput | Registry): Record<string, unknown> {
  const credential = registry.credential;
  const secretSet = (secret: string) => (secret === '' ? 'not set' : 'set');
  return {
    // The server keeps a URL as its origin: `HTTPS://Hq.example:443/` is no change from `https://hq.example`.
    url: registryOrigin(registry.url),
    type: registry.type ?? 'docker-registry',
    description: registry.description ?? '',
    insecure: registry.insecure ?? false,
    ca_certificate: registry.ca_certificate ?? '',
    credential:
      credential?.type === 'docker_config'
        ? { type: 'docker_config', config_path: credential.config_path }
        : {
            type: 'basic',
            access_key: credential?.access_key ?? '',
            access_secret: secretSet(credential?.access_secret ?? ''),
          },
    webhook_secret: secretSet(registry.webhook_secret ?? ''),
    max_connections: registry.max_connections || null,
    max_requests_in_flight: registry.max_requests_in_flight || null,
  };
}

/** The registry names of a policy entry, resolved to ids with `idOf`, as the API's body. */
export function policyBody(entry: PolicyEntry, idOf: (name: string) => number): ReplicationPolicyInput {
  const { src_registry, dest_registry, dest_registries, ...rest } = entry;
  const body = {
    ...rest,
    src_registry: { id: idOf(src_registry) },
    ...(dest_registry !== undefined ? { dest_registry: { id: idOf(dest_registry) } } : {}),
    ...(dest_registries !== undefined
      ? { dest_registries: dest_registries.map((name) => ({ id: idOf(name) })) }
      : {}),
  };
  return parseInput(ReplicationPolicyInput, body, 'policy');
}

type PolicyState = Omit<PolicyDefinition, 'src_registry_id' | 'dest_registry_ids'> & {
  src_registry: string;
  dest_registries: string[];
};

function stateWithNames(definition: PolicyDefinition, nameOf: (id: number) => string): PolicyState {
  const { src_registry_id, dest_registry_ids, ...rest } = definition;
  return {
    ...rest,
    src_registry: nameOf(src_registry_id),
    dest_registries: dest_registry_ids.map(nameOf),
  };
}

/** A policy as the server has it, with Harbor's defaults, registries by name. */
export function currentPolicyState(policy: ReplicationPolicy): PolicyState {
  const {
    id: _id,
    creation_time: _c,
    update_time: _u,
    deletion: _d,
    src_registry,
    dest_registry: _r,
    dest_registries,
    ...rest
  } = policy;
  return { ...rest, src_registry: src_registry.name, dest_registries: dest_registries.map((r) => r.name) };
}

export interface PlanInput {
  loaded: Pick<LoadedFiles, 'registries' | 'policies'>;
  registries: readonly Registry[];
  policies: readonly ReplicationPolicy[];
  prune: boolean;
  /** Send the files' secrets even when nothing else changed: the API cannot tell whether they differ. */
  rotateSecrets?: boolean;
}

/**
 * What `policy apply` will do, by name: registries first (policies name them), then policies,
 * then, with prune, the server's policies that no file names. Registries are never pruned.
 */
export function planApply({ loaded, registries, policies, prune, rotateSecrets }: PlanInput): Change[] {
  const changes: Change[] = [];
  const serverRegistries = new Map(registries.map((registry) => [registry.name, registry]));
  // Registries the files create have no id yet: stand-ins above any real id let the policy be checked.
  const ids = new Map(registries.map((registry) => [registry.name, registry.id]));
  const names = new Map<number, string>();
  let standIn = 2_000_000_000;
  for (const { input } of loaded.registries) {
    const current = serverRegistries.get(input.name);
    if (!current) {
      ids.set(input.name, ++standIn);
      changes.push({ kind: 'registry', name: input.name, action: 'create', fields: [] });
      continue;
    }
    const fields = compare(registryState(current), registryState(input));
    const secrets = [
      input.credential?.type === 'basic' && input.credential.access_secret,
      input.webhook_secret,
    ];
    if (rotateSecrets && secrets.some(Boolean) && !fields.some((field) => field.field === 'credential'))
      fields.push({ field: 'secrets', before: 'set', after: 'rotated' });
    changes.push({
      kind: 'registry',
      name: input.name,
      id: current.id,
      action: fields.length ? 'update' : 'unchanged',
      fields,
    });
  }
  for (const [name, id] of ids) names.set(id, name);

  const serverPolicies = new Map(policies.map((policy) => [policy.name, policy]));
  for (const { entry, source } of loaded.policies) {
    let desired: PolicyState;
    try {
      const body = policyBody(entry, (name) => {
        const id = ids.get(name);
        if (id === undefined)
          throw new CliError('INVALID_FILE', `registry "${name}" is neither in the files nor on the server`);
        return id;
      });
      desired = stateWithNames(policyDefinitionFromInput(body), (id) => names.get(id) ?? String(id));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof CliError || errorCode(error) === 'INVALID_INPUT')
        throw new CliError('INVALID_FILE', `${source}: ${message}`);
      throw error;
    }
    const current = serverPolicies.get(entry.name);
    if (!current) {
      changes.push({ kind: 'policy', name: entry.name, action: 'create', fields: [] });
      continue;
    }
    const fields = compare(currentPolicyState(current), desired);
    changes.push({
      kind: 'policy',
      name: entry.name,
      id: current.id,
      action: fields.length ? 'update' : 'unchanged',
      fields,
    });
  }
  if (prune) {
    const wanted = new Set(loaded.policies.map((policy) => policy.entry.name));
    for (const policy of policies)
      if (!wanted.has(policy.name))
        changes.push({ kind: 'policy', name: policy.name, id: policy.id, action: 'prune', fields: [] });
  }
  return changes;
}

const symbols: Record<ChangeAction, string> = { create: '+', update: '~', unchanged: '=', prune: '-' };

/** One line per change (and one per changed field), diff-like: + created, ~ changed, = unchanged, - pruned. */
export function formatChange(change: Change): string {
  const head = `${symbols[change.action]} ${change.kind} ${change.name}`;
  return [
    head,
    ...change.fields.map((field) => `    ${field.field}: ${field.before} -> ${field.after}`),
  ].join('\n');
}

export function summarize(changes: readonly Change[]): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, unchanged: 0, prune: 0 };
  for (const change of changes) counts[change.action]++;
  return counts;
}
