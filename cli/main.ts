#!/usr/bin/env node
import { errorCode } from '../errors/regatta-error.js';
import { loadEnvironment } from '../server/environment.js';
import { createLogger } from '../server/logger.js';
import { clientCommands, clientUsage, runClientCommand } from './commands/index.js';
import { CliError, exitCodeOf } from './commands/cli-error.js';

const serverCommands = new Set(['dev', 'api', 'worker']);

const usage = `usage: regatta <command>

  dev      the whole system: Temporal dev server (unless TEMPORAL_ADDRESS), API and worker
  api      the REST API only (needs TEMPORAL_ADDRESS)
  worker   a worker only (needs TEMPORAL_ADDRESS)

${clientUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(`${usage}\n`);
    return command ? 0 : 2;
  }
  if (clientCommands.has(command)) {
    // Client commands talk to a running API: Regatta's own environment is not read.
    try {
      return await runClientCommand(argv, process.env);
    } catch (error) {
      const code = error instanceof CliError ? ` [${error.code}]` : '';
      process.stderr.write(`regatta: ${error instanceof Error ? error.message : String(error)}${code}\n`);
      return exitCodeOf(error);
    }
  }
  const environment = loadEnvironment();
  const pretty = environment.LOG_PRETTY ? environment.LOG_PRETTY === '1' : process.stdout.isTTY;
  const logger = createLogger({ level: environment.LOG_LEVEL, pretty });

  if (!serverCommands.has(command)) {
    process.stderr.write(`unknown command: ${command}\n${usage}\n`);
    return 2;
  }
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
