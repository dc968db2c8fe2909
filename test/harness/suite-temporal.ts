import { after, before } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { createWorker } from '../../worker/create-worker.js';
import { startTestTemporal, type TestTemporal } from './temporal-server.js';

/** What a worker of a suite serves; concurrency as the suite needs it (default 4 and 4). */
export interface SuiteWorkerOptions {
  activities: object;
  workflowBundle: WorkflowBundle;
  activityConcurrency?: number;
  workflowConcurrency?: number;
}

export interface SuiteTemporal {
  readonly temporal: TestTemporal;
  readonly client: Client;
  /** `body` with a real worker serving `options` on Regatta's task queue; the worker stops after. */
  withWorker<T>(options: SuiteWorkerOptions, body: () => Promise<T>): Promise<T>;
}

/**
 * A real Temporal dev server and a client of it for the tests of one describe block: started in
 * its before hook (beside `alongside`, such as bundling the workflows), stopped in its after hook.
 */
export function temporalForSuite(alongside?: () => Promise<void>): SuiteTemporal {
  let temporal: TestTemporal | undefined;
  let connection: Connection | undefined;
  let client: Client | undefined;
  before(async () => {
    [temporal] = await Promise.all([startTestTemporal(), alongside?.()]);
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await temporal?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the suite’s Temporal is used before its before hook ran');
    return value;
  };
  return {
    get temporal() {
      return started(temporal);
    },
    get client() {
      return started(client);
    },
    async withWorker(options, body) {
      const { worker, connection: workerConnection } = await createWorker({
        address: started(temporal).address,
        namespace: 'default',
        activities: options.activities,
        workflowBundle: options.workflowBundle,
        activityConcurrency: options.activityConcurrency ?? 4,
        workflowConcurrency: options.workflowConcurrency ?? 4,
        shutdownGraceSeconds: 1,
      });
      try {
        return await worker.runUntil(body());
      } finally {
        await workerConnection.close();
      }
    },
  };
}
