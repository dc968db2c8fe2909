#!/usr/bin/env node
import { errorCode } from '../errors/regatta-error.js';
import { loadEnvironment } from '../server/environment.js';
import { createLogger } from '../server/logger.js';
import { parseCommandArguments } from './commands/arguments.js';
import { CliError, exitCodeOf } from './commands/cli-error.js';
import { commandHelp, findCommand, overallUsage } from './commands/command-specs.js';
import { completionScript } from './commands/completion.js';
import { runClientCommand } from './commands/index.js';

/**
 * Answers `--help`, prints a completion script or runs a client command, and returns the exit
 * code; returns undefined for a server command to start.
 */
async function runWithoutServer(argv: string[]): Promise<number | undefined> {
  const spec = findCommand(argv[0] ?? '');
  // Client commands talk to a running API: Regatta's own environment is not read.
  if (spec?.kind !== 'server' && spec?.kind !== 'local') return runClientCommand(argv, process.env);
  const { values, positionals } = parseCommandArguments(argv.slice(1), spec);
  if (values.help) {
    process.stdout.write(`${commandHelp(spec)}\n`);
    return 0;
  }
  if (spec.kind === 'server') return undefined;
  if (positionals.length !== 1) throw new CliError('USAGE', 'usage: regatta completion bash|zsh');
  process.stdout.write(completionScript(positionals[0]));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command = ''] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${overallUsage()}\n`);
    return command ? 0 : 2;
  }
  try {
    const code = await runWithoutServer(argv);
    if (code !== undefined) return code;
  } catch (error) {
    const code = error instanceof CliError ? ` [${error.code}]` : '';
    process.stderr.write(`regatta: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    return exitCodeOf(error);
  }
  const environment = loadEnvironment();
  const pretty = environment.LOG_PRETTY ? environment.LOG_PRETTY === '1' : process.stdout.isTTY;
  const logger = createLogger({ level: environment.LOG_LEVEL, pretty });
  // Loaded only here: the worker and Temporal modules take seconds to load, client commands need none of them.
  const { runServerCommand } = await import('../server/server-commands.js');
  await runServerCommand(command, environment, logger);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = errorCode(error);
    process.stderr.write(`regatta: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(code === 'INVALID_INPUT' || code === 'ENVIRONMENT' ? 78 : 1);
  },
);
