import { makePrivateFolder } from '../store/index.js';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { connectToTemporal } from '../temporal/connect.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { findTemporalCli } from '../temporal/find-temporal-cli.js';
import { loadTemporalTls } from '../temporal/tls.js';
import { temporalTlsSettings, type Environment } from './environment.js';
import { startApi } from './start-api.js';
import { startWorker } from './start-worker.js';
import { untilStopSignal } from './stop-signal.js';
import { workerMetricsAddress, workerMetricsUrl } from './worker-metrics-address.js';

/**
 * `regatta dev`: the whole system on embedded defaults. A Temporal dev server (unless
 * TEMPORAL_ADDRESS names one), the API and a worker, all stopped together on Ctrl-C. The API's
 * `/metrics` includes the worker's, so one scrape of the dev process sees everything.
 */
export async function runDev(environment: Environment, logger: Logger): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  const stopRequested = untilStopSignal(logger);
  try {
    let address = environment.TEMPORAL_ADDRESS;
    let devServer: DevServer | undefined;
    if (!address) {
      const dataDir = resolve(environment.REGATTA_DATA_DIR);
      makePrivateFolder(dataDir);
      devServer = startDevServer({
        cli: findTemporalCli(environment.TEMPORAL_CLI),
        ip: '127.0.0.1',
        port: environment.TEMPORAL_DEV_PORT,
        uiPort: environment.TEMPORAL_UI_PORT,
        dbFile: resolve(dataDir, 'temporal.db'),
        namespace: environment.TEMPORAL_NAMESPACE,
        logger,
      });
      stops.push(() => devServer!.stop());
      address = devServer.address;
      logger.info(`starting the Temporal dev server on ${address} (state in ${dataDir}/temporal.db)`);
    }
    const tls = loadTemporalTls(temporalTlsSettings(environment));
    await (await connectToTemporal({ address, tls, timeoutMs: 120_000 })).close();
    const worker = await startWorker(environment, address, logger);
    stops.push(() => worker.stop());
    const metricsAddress = workerMetricsAddress('dev', environment);
    const api = await startApi(environment, address, logger, {
      ...(metricsAddress ? { workerMetricsUrl: workerMetricsUrl(metricsAddress) } : {}),
    });
    stops.push(() => api.stop());

    logger.info(`Regatta API:  ${api.url}  (health: ${api.url}/healthz, metrics: ${api.url}/metrics)`);
    logger.info(`Temporal UI:  ${devServer?.uiUrl ?? `the UI of your Temporal server at ${address}`}`);
    logger.info('Press Ctrl-C to stop.');
    await Promise.race([stopRequested, worker.done]);
  } finally {
    await stopAll();
  }
}
