import { ApiClient } from './api-client.js';
import { parseCommandArguments, resolveConnection } from './arguments.js';
import { CliError } from './cli-error.js';
import { policyApply } from './policy-apply.js';
import { policyList } from './policy-list.js';
import { registryAdd, registryList, registryPing } from './registry.js';
import { listRuns, runPolicy, runStatus } from './runs.js';

/** The commands that talk to a running API rather than start part of Regatta. */
export const clientCommands = new Set(['policy', 'run', 'runs', 'status', 'registry']);

export const clientUsage = `  policy apply -f FILE|DIR [--prune] [--dry-run] [--rotate-secrets]
           make registries and policies what YAML/JSON files say (see examples/)
  policy list
  run POLICY [--wait] [--dry-run]
           start a run of a policy (name or id); --wait exits 0 only on success;
           --dry-run waits for the plan and prints what a real run would copy, skip and delete
  runs [POLICY] [--limit N]
  status RUN
  registry add NAME URL [--type T] [--insecure] [--access-key K --access-secret-env VAR]
  registry list
  registry ping NAME|ID

  client options: --url (REGATTA_URL), --token (REGATTA_TOKEN) or --user/--password
  (REGATTA_USER, default admin / REGATTA_PASSWORD), --json for scripts`;

function one(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count) throw new CliError('USAGE', `usage: regatta ${usage}`);
  return positionals;
}

function limit(value: unknown): number {
  if (value === undefined) return 20;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100)
    throw new CliError('USAGE', '--limit: must be an integer from 1 to 100');
  return number;
}

/** Runs one client command; returns the exit code. */
export async function runClientCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command = '', ...rest] = argv;
  const sub = command === 'policy' || command === 'registry' ? rest[0] : undefined;
  const args = sub === undefined ? rest : rest.slice(1);
  const options = {
    file: { type: 'string', short: 'f' },
    prune: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'rotate-secrets': { type: 'boolean' },
    wait: { type: 'boolean' },
    limit: { type: 'string' },
    type: { type: 'string' },
    description: { type: 'string' },
    insecure: { type: 'boolean' },
    'access-key': { type: 'string' },
    'access-secret-env': { type: 'string' },
  } as const;
  const { values, positionals } = parseCommandArguments(args, options);
  if (values.help) {
    process.stdout.write(`${clientUsage}\n`);
    return 0;
  }
  const json = values.json === true;
  const client = () => new ApiClient(resolveConnection(values, env));

  switch (`${command}${sub === undefined ? '' : ` ${sub}`}`) {
    case 'policy apply': {
      one(positionals, 0, 'policy apply -f FILE|DIR [--prune] [--dry-run] [--rotate-secrets]');
      if (typeof values.file !== 'string')
        throw new CliError('USAGE', 'policy apply: -f FILE|DIR is required');
      return policyApply(client(), {
        path: values.file,
        prune: values.prune === true,
        dryRun: values['dry-run'] === true,
        rotateSecrets: values['rotate-secrets'] === true,
        json,
        env,
      });
    }
    case 'policy list':
      one(positionals, 0, 'policy list');
      return policyList(client(), { json });
    case 'run': {
      const [policy = ''] = one(positionals, 1, 'run POLICY [--wait] [--dry-run]');
      return runPolicy(client(), policy, {
        wait: values.wait === true,
        dryRun: values['dry-run'] === true,
        json,
      });
    }
    case 'runs':
      if (positionals.length > 1) throw new CliError('USAGE', 'usage: regatta runs [POLICY] [--limit N]');
      return listRuns(client(), positionals[0], { json, limit: limit(values.limit) });
    case 'status': {
      const [run = ''] = one(positionals, 1, 'status RUN');
      if (!/^\d+$/.test(run)) throw new CliError('USAGE', 'status: RUN is a run id (a number)');
      return runStatus(client(), run, { json });
    }
    case 'registry add': {
      const [name = '', url = ''] = one(positionals, 2, 'registry add NAME URL [options]');
      return registryAdd(client(), {
        name,
        url,
        type: values.type as string | undefined,
        description: values.description as string | undefined,
        insecure: values.insecure === true,
        accessKey: values['access-key'] as string | undefined,
        accessSecretEnv: values['access-secret-env'] as string | undefined,
        json,
        env,
      });
    }
    case 'registry list':
      one(positionals, 0, 'registry list');
      return registryList(client(), { json });
    case 'registry ping': {
      const [registry = ''] = one(positionals, 1, 'registry ping NAME|ID');
      return registryPing(client(), registry, { json });
    }
    default:
      throw new CliError(
        'USAGE',
        `unknown command: regatta ${[command, sub].filter(Boolean).join(' ')}\n${clientUsage}`,
      );
  }
}
