import type { Logger } from 'pino';
import { installRuntime } from '../worker/install-runtime.js';
import { runDev } from './dev.js';
import type { Environment } from './environment.js';
import { startApi } from './start-api.js';
import { startWorker } from './start-worker.js';
import { untilStopSignal } from './stop-signal.js';
import { workerMetricsAddress } from './worker-metrics-address.js';

/** `dev`, `api` and `worker`: the long-running processes, until a stop signal. */
export async function runServerCommand(
  command: string,
  environment: Environment,
  logger: Logger,
): Promise<void> {
  if (command === 'dev' || command === 'worker') {
    installRuntime({ logger, metricsAddress: workerMetricsAddress(command, environment) });
  }
  if (command === 'dev') {
    await runDev(environment, logger);
    return;
  }
  const address = environment.TEMPORAL_ADDRESS ?? `127.0.0.1:${environment.TEMPORAL_DEV_PORT}`;
  const stopRequested = untilStopSignal(logger);
  if (command === 'api') {
    const api = await startApi(environment, address, logger);
    logger.info(`Regatta API: ${api.url}`);
    await stopRequested;
    await api.stop();
    return;
  }
  const worker = await startWorker(environment, address, logger);
  logger.info(`worker polling Temporal at ${address}`);
  await Promise.race([stopRequested, worker.done]);
  await worker.stop();
}
