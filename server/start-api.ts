import { Client, type Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { createApp } from '../api/app.js';
import { announceAdminPassword, resolveAdminPassword } from '../api/auth/admin-password.js';
import { serve, type RunningServer } from '../api/serve.js';
import { searchAttributeKeys } from '../contract/index.js';
import { createReplicationService } from '../service/index.js';
import { openStore } from '../store/index.js';
import { connectToTemporal, isTemporalReachable } from '../temporal/connect.js';
import { registerSearchAttributes } from '../temporal/register-search-attributes.js';
import { registryAccessRules } from './registry-access-rules.js';
import { loadTemporalTls } from '../temporal/tls.js';
import { temporalTlsSettings, type Environment } from './environment.js';
import { readTlsFiles } from './tls-files.js';

export interface StartedApi {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the REST API against a Temporal server that already answers: opens the store in
 * REGATTA_DATA_DIR (or DATABASE_URL), builds the replication service on it and on Temporal,
 * makes the policies' schedules agree with the store, and resolves the admin password (shown
 * once when generated). `workerMetricsUrl` names the worker of the same process, whose metrics
 * `/metrics` appends.
 */
export async function startApi(
  environment: Environment,
  address: string,
  logger: Logger,
  { workerMetricsUrl }: { workerMetricsUrl?: string } = {},
): Promise<StartedApi> {
  const dataDir = resolve(environment.REGATTA_DATA_DIR);
  const tls = await readTlsFiles(environment);
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
    connection = await connectToTemporal({ address, tls: loadTemporalTls(temporalTlsSettings(environment)) });
    const temporal = connection;
    // The API lists runs by these attributes: they must exist before the first worker does.
    await registerSearchAttributes(connection, environment.TEMPORAL_NAMESPACE, searchAttributeKeys, logger);
    const service = createReplicationService({
      store,
      client: new Client({ connection, namespace: environment.TEMPORAL_NAMESPACE }),
      registryAccess: registryAccessRules(environment),
      schedules: {
        overlap: environment.REGATTA_SCHEDULE_OVERLAP,
        catchupWindowMs: environment.REGATTA_SCHEDULE_CATCHUP_SECONDS * 1000,
      },
    });
    await service.policies.reconcileSchedules(logger);
    const app = createApp({
      logger,
      service,
      adminPassword: admin.password,
      driftWaitMs: environment.REGATTA_DRIFT_WAIT_SECONDS * 1000,
      webhookRate: {
        burst: environment.REGATTA_WEBHOOK_BURST,
        perSecond: environment.REGATTA_WEBHOOK_PER_SECOND,
      },
      ...(environment.REGATTA_TRUSTED_PROXY ? { trustedProxy: environment.REGATTA_TRUSTED_PROXY } : {}),
      isTemporalReachable: () => isTemporalReachable(temporal),
      ...(workerMetricsUrl ? { workerMetricsUrl } : {}),
      temporalUi: {
        url: environment.TEMPORAL_UI_URL ?? `http://localhost:${environment.TEMPORAL_UI_PORT}`,
        namespace: environment.TEMPORAL_NAMESPACE,
      },
    });
    server = await serve(app, environment.REGATTA_API_PORT, environment.REGATTA_API_HOST, tls);
    announceAdminPassword(admin, logger);
  } catch (error) {
    await connection?.close();
    await store.close();
    throw error;
  }
  const temporal = connection;
  return {
    url: `${tls ? 'https' : 'http'}://localhost:${server.port}`,
    async stop() {
      await server.close();
      await temporal.close();
      await store.close();
    },
  };
}
