import type { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { createApp, type AppDependencies } from '../api/app.js';
import { announceAdminPassword, resolveAdminPassword } from '../api/auth/admin-password.js';
import { ApiMetrics } from '../api/metrics/api-metrics.js';
import { serve, type RunningServer } from '../api/serve.js';
import { connectToTemporal, isTemporalReachable } from '../temporal/connect.js';
import { openStore, type Store } from '../store/index.js';
import type { Environment } from './environment.js';

export interface StartedApi {
  url: string;
  stop(): Promise<void>;
}

/** What `extend` gets to build more routes on (executions, webhooks) for the API. */
export interface ApiContext {
  store: Store;
  connection: Connection;
  logger: Logger;
  /** The metrics `/metrics` serves, for routes that count what they do. */
  metrics: ApiMetrics;
}
export type ApiExtension = (
  context: ApiContext,
) => Promise<Pick<AppDependencies, 'apiRoutes' | 'publicRoutes' | 'policyHooks' | 'openApiPaths'>>;

/**
 * Starts the REST API against a Temporal server that already answers: opens the store in
 * REGATTA_DATA_DIR (or DATABASE_URL) and resolves the admin password, shown once when generated.
 * `workerMetricsUrl` names the worker of the same process, whose metrics `/metrics` appends.
 */
export async function startApi(
  environment: Environment,
  address: string,
  logger: Logger,
  extend?: ApiExtension,
  { workerMetricsUrl }: { workerMetricsUrl?: string } = {},
): Promise<StartedApi> {
  const dataDir = resolve(environment.REGATTA_DATA_DIR);
  const store = await openStore({
    dataDir,
    databaseUrl: environment.DATABASE_URL,
    secretKey: environment.REGATTA_SECRET_KEY,
    logger,
  });
  let connection: Connection | undefined;
  let server: RunningServer;
  try {
    const admin = await resolveAdminPassword(dataDir, environment.REGATTA_ADMIN_PASSWORD);
    connection = await connectToTemporal({ address });
    const temporal = connection;
    const metrics = new ApiMetrics();
    const extensions = extend ? await extend({ store, connection, logger, metrics }) : {};
    const app = createApp({
      logger,
      store,
      adminPassword: admin.password,
      isTemporalReachable: () => isTemporalReachable(temporal),
      metrics,
      ...(workerMetricsUrl ? { workerMetricsUrl } : {}),
      ...extensions,
    });
    server = await serve(app, environment.REGATTA_API_PORT, environment.REGATTA_API_HOST);
    announceAdminPassword(admin, logger);
  } catch (error) {
    await connection?.close();
    await store.close();
    throw error;
  }
  const temporal = connection;
  return {
    url: `http://localhost:${server.port}`,
    async stop() {
      await server.close();
      await temporal.close();
      await store.close();
    },
  };
}
