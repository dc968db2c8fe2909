import { Context } from '@temporalio/activity';
import { Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { connectionSettings, type CopySettings } from '../activities/copy-settings.js';
import { createReplicationActivities } from '../activities/create-replication-activities.js';
import type { NotificationSettings } from '../activities/notification-settings.js';
import { createStoreRegistryClients } from '../activities/store-registry-clients.js';
import { searchAttributeKeys } from '../contract/index.js';
// Only the pass, not the whole service: the worker loads what it runs.
import { recordUnreadEnds } from '../service/unread-ends.js';
import { openStore, type Store } from '../store/index.js';
import { registerSearchAttributes } from '../temporal/register-search-attributes.js';
import { bundleWorkflowsApart } from '../worker/bundle-workflows-apart.js';
import { createWorker, type WorkerConfig } from '../worker/create-worker.js';
import { registryAccessRules } from './registry-access-rules.js';
import { loadTemporalTls } from '../temporal/tls.js';
import { temporalTlsSettings, type Environment } from './environment.js';

export interface StartedWorker {
  worker: Worker;
  /** Resolves when the worker has stopped polling and in-flight work finished or was handed back. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** The worker's settings, from the environment. */
export function workerConfig(environment: Environment, address: string): WorkerConfig {
  return {
    address,
    tls: loadTemporalTls(temporalTlsSettings(environment)),
    namespace: environment.TEMPORAL_NAMESPACE,
    activityConcurrency: environment.REGATTA_WORKER_ACTIVITY_CONCURRENCY,
    workflowConcurrency: environment.REGATTA_WORKER_WORKFLOW_CONCURRENCY,
    shutdownGraceSeconds: environment.REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS,
  };
}

/** How the worker's activities copy, from the environment. */
export function copySettings(environment: Environment): CopySettings {
  return {
    blobConcurrency: environment.REGATTA_WORKER_BLOB_CONCURRENCY,
    stallTimeoutMs: environment.REGATTA_STALL_TIMEOUT_SECONDS * 1000,
  };
}

/** How the worker's notifications link to the API and are tried, from the environment. */
export function notificationSettings(environment: Environment): NotificationSettings {
  const scheme = environment.REGATTA_TLS_CERT ? 'https' : 'http';
  return {
    baseUrl: environment.REGATTA_PUBLIC_URL ?? `${scheme}://localhost:${environment.REGATTA_API_PORT}`,
    schedule: {
      timeoutSeconds: environment.REGATTA_NOTIFICATION_TIMEOUT_SECONDS,
      firstRetrySeconds: environment.REGATTA_NOTIFICATION_RETRY_SECONDS,
      maximumRetrySeconds: environment.REGATTA_NOTIFICATION_RETRY_MAX_SECONDS,
      giveUpSeconds: environment.REGATTA_NOTIFICATION_GIVE_UP_SECONDS,
    },
    deliveriesKept: environment.REGATTA_NOTIFICATION_DELIVERIES_KEPT,
  };
}

/**
 * The replication activities as the environment configures them, on `store`, with the registry
 * clients they use (closed by the caller when the activities are done); `logger` hears what their
 * housekeeping leaves for later.
 */
export function replicationActivities(environment: Environment, store: Store, logger: Logger) {
  const copy = copySettings(environment);
  const clients = createStoreRegistryClients(
    store,
    registryAccessRules(environment),
    connectionSettings(environment.REGATTA_WORKER_ACTIVITY_CONCURRENCY, copy),
  );
  const activities = createReplicationActivities({
    store,
    clients,
    copy,
    run: { retryBudgetMs: environment.REGATTA_RETRY_BUDGET_MINUTES * 60_000 },
    notifications: notificationSettings(environment),
    executionsKept: environment.REGATTA_EXECUTIONS_KEPT,
    // Read with the worker's own client, in the namespace of the run that closes.
    recordUnreadEnds: (policyId, kept) =>
      recordUnreadEnds(store, Context.current().client, logger, policyId, kept),
  });
  return { activities, clients };
}

/**
 * A worker on Regatta's task queue with the replication activities, bound to the store that
 * holds the registries' credentials.
 */
export async function startWorker(
  environment: Environment,
  address: string,
  logger: Logger,
): Promise<StartedWorker> {
  const store = await openStore({
    dataDir: environment.REGATTA_DATA_DIR,
    databaseUrl: environment.DATABASE_URL,
    secretKey: environment.REGATTA_SECRET_KEY,
    logger,
  });
  const { activities, clients } = replicationActivities(environment, store, logger);
  const release = async () => {
    await clients.close();
    await store.close();
  };
  try {
    const config = workerConfig(environment, address);
    const connection = await Connection.connect({ address, tls: config.tls });
    try {
      await registerSearchAttributes(connection, config.namespace, searchAttributeKeys, logger);
    } finally {
      await connection.close();
    }
    const { worker, connection: workerConnection } = await createWorker({
      ...config,
      activities,
      workflowBundle: await bundleWorkflowsApart(),
    });
    const done = worker.run().finally(async () => {
      await workerConnection.close();
      await release();
    });
    done.catch((error: unknown) => logger.error({ err: error }, 'worker stopped with an error'));
    return {
      worker,
      done,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done.catch(() => undefined);
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
