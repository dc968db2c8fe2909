#!/usr/bin/env node
import { errorCode } from '../errors/regatta-error.js';
import { installRuntime } from '../worker/install-runtime.js';
import { runDev } from './dev.js';
import { loadEnvironment } from './environment.js';
import { createLogger } from './logger.js';
import { startWorker } from '../worker/start-worker.js';
import { startApi } from './processes.js';
import { replicationApi } from './replication-api.js';
import { untilStopSignal } from './stop-signal.js';
import { clientCommands, clientUsage, runClientCommand } from './commands/index.js';
import { CliError, exitCodeOf } from './commands/cli-error.js';

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

  switch (command) {
    case 'dev':
      installRuntime({ logger, metricsAddress: environment.REGATTA_WORKER_METRICS_ADDRESS });
      await runDev(environment, logger);
      return 0;
    case 'api':
    case 'worker': {
      if (command === 'worker')
        installRuntime({ logger, metricsAddress: environment.REGATTA_WORKER_METRICS_ADDRESS });
      const address = environment.TEMPORAL_ADDRESS ?? `127.0.0.1:${environment.TEMPORAL_DEV_PORT}`;
      const stopRequested = untilStopSignal(logger);
      if (command === 'api') {
        const api = await startApi(environment, address, logger, replicationApi(environment));
        logger.info(`Regatta API: ${api.url}`);
        await stopRequested;
        await api.stop();
      } else {
        const worker = await startWorker(environment, address, logger);
        logger.info(`worker polling Temporal at ${address}`);
        await Promise.race([stopRequested, worker.done]);
        await worker.stop();
      }
      return 0;
    }
    default:
      process.stderr.write(`unknown command: ${command}\n${usage}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = errorCode(error);
    process.stderr.write(`regatta: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(code === 'INVALID_INPUT' || code === 'ENVIRONMENT' ? 78 : 1);
  },
);
