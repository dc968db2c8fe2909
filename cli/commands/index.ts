import { ApiClient } from './api-client.js';
import { parseCommandArguments, resolveConnection } from './arguments.js';
import { CliError } from './cli-error.js';
import { commandHelp, findCommand, groupHelp, subcommandsOf, type CommandSpec } from './command-specs.js';
import { policyApply } from './policy-apply.js';
import { policyList } from './policy-list.js';
import { registryAdd, registryList, registryPing } from './registry.js';
import { listRuns, runPolicy, runStatus } from './runs.js';

function one(positionals: string[], count: number, spec: CommandSpec): string[] {
  if (positionals.length !== count)
    throw new CliError('USAGE', `usage: regatta ${`${spec.name} ${spec.args}`.trim()} [options]`);
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
  const group = subcommandsOf(command).length > 0;
  const sub = group ? rest[0] : undefined;
  if (group && (sub === undefined || sub === '--help' || sub === '-h')) {
    process.stdout.write(`${groupHelp(command)}\n`);
    return sub === undefined ? 2 : 0;
  }
  const spec = findCommand(group ? `${command} ${sub}` : command);
  if (spec?.kind !== 'client')
    throw new CliError(
      'USAGE',
      `unknown command: regatta ${argv.slice(0, group ? 2 : 1).join(' ')} (see regatta --help)`,
    );
  const { values, positionals } = parseCommandArguments(rest.slice(group ? 1 : 0), spec);
  if (values.help) {
    process.stdout.write(`${commandHelp(spec)}\n`);
    return 0;
  }
  const json = values.json === true;
  const client = () => new ApiClient(resolveConnection(values, env));

  switch (spec.name) {
    case 'policy apply': {
      one(positionals, 0, spec);
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
      one(positionals, 0, spec);
      return policyList(client(), { json });
    case 'run': {
      const [policy = ''] = one(positionals, 1, spec);
      return runPolicy(client(), policy, {
        wait: values.wait === true,
        dryRun: values['dry-run'] === true,
        json,
      });
    }
    case 'runs':
      if (positionals.length > 1) throw new CliError('USAGE', 'usage: regatta runs [POLICY] [options]');
      return listRuns(client(), positionals[0], { json, limit: limit(values.limit) });
    case 'status': {
      const [run = ''] = one(positionals, 1, spec);
      if (!/^\d+$/.test(run)) throw new CliError('USAGE', 'status: RUN is a run id (a number)');
      return runStatus(client(), run, { json });
    }
    case 'registry add': {
      const [name = '', url = ''] = one(positionals, 2, spec);
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
      one(positionals, 0, spec);
      return registryList(client(), { json });
    case 'registry ping': {
      const [registry = ''] = one(positionals, 1, spec);
      return registryPing(client(), registry, { json });
    }
    default:
      throw new CliError('USAGE', `unknown command: regatta ${spec.name}`);
  }
}
