import type { Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createApp } from '../api/app.js';
import { serve, type RunningServer } from '../api/serve.js';
import { connectToTemporal, isTemporalReachable } from '../temporal/connect.js';
import { createWorker } from '../worker/create-worker.js';
import type { Environment } from './environment.js';

export interface StartedApi {
  url: string;
  stop(): Promise<void>;
}

/** Starts the REST API against a Temporal server that already answers. */
export async function startApi(
  environment: Environment,
  address: string,
  logger: Logger,
): Promise<StartedApi> {
  const connection: Connection = await connectToTemporal({ address });
  const app = createApp({ logger, isTemporalReachable: () => isTemporalReachable(connection) });
  let server: RunningServer;
  try {
    server = await serve(app, environment.REGATTA_API_PORT, environment.REGATTA_API_HOST);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    url: `http://localhost:${server.port}`,
    async stop() {
      await server.close();
      await connection.close();
    },
  };
}

export interface StartedWorker {
  worker: Worker;
  /** Resolves when the worker has stopped polling and in-flight work finished or was handed back. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts a worker on Regatta's task queue. */
export async function startWorker(
  environment: Environment,
  address: string,
  logger: Logger,
): Promise<StartedWorker> {
  const { worker, connection } = await createWorker({
    address,
    namespace: environment.TEMPORAL_NAMESPACE,
    activities: {},
    maxConcurrentActivityTaskExecutions: environment.REGATTA_WORKER_ACTIVITY_CONCURRENCY,
    maxConcurrentWorkflowTaskExecutions: environment.REGATTA_WORKER_WORKFLOW_CONCURRENCY,
    shutdownGraceTimeSeconds: environment.REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS,
  });
  const done = worker.run().finally(() => connection.close());
  done.catch((error: unknown) => logger.error({ err: error }, 'worker stopped with an error'));
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch(() => undefined);
    },
  };
}
