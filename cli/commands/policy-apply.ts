import type { Registry, ReplicationPolicy } from '../../policies/index.js';
import type { ApiClient } from './api-client.js';
import { formatChange, planApply, policyBody, summarize, type Change } from './apply-plan.js';
import { CliError } from './cli-error.js';
import { printJson } from './output.js';
import { loadPolicyFiles } from './policy-file.js';

export interface ApplyOptions {
  path: string;
  prune: boolean;
  dryRun: boolean;
  rotateSecrets: boolean;
  json: boolean;
  env: NodeJS.ProcessEnv;
}

/** `regatta policy apply`: makes the server's registries and policies what the files say. */
export async function policyApply(client: ApiClient, options: ApplyOptions): Promise<number> {
  const loaded = loadPolicyFiles(options.path, options.env);
  const [registries, policies] = await Promise.all([
    client.listAll<Registry>('/registries'),
    client.listAll<ReplicationPolicy>('/replication/policies'),
  ]);
  const changes = planApply({
    loaded,
    registries,
    policies,
    prune: options.prune,
    rotateSecrets: options.rotateSecrets,
  });
  const print = (change: Change) => {
    if (!options.json) process.stdout.write(`${formatChange(change)}\n`);
  };

  if (!options.dryRun) {
    const ids = new Map(registries.map((registry) => [registry.name, registry.id]));
    const inputs = new Map(loaded.registries.map(({ input }) => [input.name, input]));
    const entries = new Map(loaded.policies.map(({ entry }) => [entry.name, entry]));
    const idOf = (name: string) => {
      const id = ids.get(name);
      if (id === undefined) throw new CliError('INVALID_FILE', `registry "${name}" not found`);
      return id;
    };
    for (const change of changes) {
      if (change.kind === 'registry') {
        const input = inputs.get(change.name)!;
        if (change.action === 'create') ids.set(change.name, await client.create('/registries', input));
        if (change.action === 'update') {
          // Every field is sent, so what the file leaves out goes back to its default.
          await client.update(`/registries/${change.id}`, {
            name: input.name,
            url: input.url,
            type: input.type ?? 'docker-registry',
            description: input.description ?? '',
            insecure: input.insecure ?? false,
            ca_certificate: input.ca_certificate ?? '',
            credential: input.credential ?? { type: 'basic', access_key: '', access_secret: '' },
            webhook_secret: input.webhook_secret ?? '',
            // 0: no limit (null would leave the server's as it is).
            max_connections: input.max_connections ?? 0,
            max_requests_in_flight: input.max_requests_in_flight ?? 0,
          });
        }
      } else if (change.action === 'create') {
        await client.create('/replication/policies', policyBody(entries.get(change.name)!, idOf));
      } else if (change.action === 'update') {
        await client.update(
          `/replication/policies/${change.id}`,
          policyBody(entries.get(change.name)!, idOf),
        );
      } else if (change.action === 'prune') {
        await client.delete(`/replication/policies/${change.id}`);
      }
      print(change);
    }
  } else {
    changes.forEach(print);
  }

  const counts = summarize(changes);
  if (options.json) {
    printJson({ dry_run: options.dryRun, changes, summary: counts });
  } else {
    const verb = options.dryRun ? 'would be ' : '';
    process.stdout.write(
      `${options.dryRun ? 'dry run: ' : ''}${counts.create} ${verb}created, ${counts.update} ${verb}changed, ` +
        `${counts.unchanged} unchanged, ${counts.prune} ${verb}pruned\n`,
    );
  }
  return 0;
}
