import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadEnvironment, type Environment } from '../../server/environment.js';
import {
  policyDefinitionFromInput,
  policySnapshot,
  ReplicationPolicyInput,
  type PolicySnapshot,
} from '../../policies/index.js';
import type { PageTasks, TaskRequest } from '../../contract/index.js';
import { readTasks } from '../../service/read-execution.js';
import { openStore, type Store } from '../../store/index.js';
import { startWorker, type StartedWorker } from '../../server/start-worker.js';
import { harborRegistryBody } from './harbor-registry-body.js';
import type { RegistryServer } from './registry-server.js';
import type { TestBed } from './test-bed.js';

export interface RegattaUnderTest {
  environment: Environment;
  store: Store;
  client: Client;
  /** The in-process worker, unless the test runs its own worker processes. */
  worker: StartedWorker | undefined;
  /** Stores a policy from a Harbor-shaped body and returns the snapshot a run carries. */
  createPolicy(body: object): Promise<PolicySnapshot>;
  /** Some of a run's tasks, read as the API reads them (from the store once the run has closed). */
  tasks(workflowId: string, request?: TaskRequest): Promise<PageTasks>;
  /** Registers a test-bed registry in the store, with its credentials; returns its id. */
  addRegistry(registry: RegistryServer, name?: string): Promise<number>;
  stop(): Promise<void>;
}

/** Regatta's store and a real worker in this process, against the test bed's Temporal server. */
export async function startRegattaWorker(
  bed: TestBed,
  options: { worker?: boolean; environment?: Record<string, string> } = {},
): Promise<RegattaUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'regatta-data-'));
  const environment = loadEnvironment({
    TEMPORAL_ADDRESS: bed.temporal!.address,
    REGATTA_DATA_DIR: dataDir,
    REGATTA_SECRET_KEY: 'test-only passphrase',
    REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS: '2',
    REGATTA_ADMIN_PASSWORD: 'test-admin-password',
    REGATTA_API_PORT: '0',
    REGATTA_API_HOST: '127.0.0.1',
    // Worker processes started from this environment bind any free port, so they never clash.
    REGATTA_WORKER_METRICS_ADDRESS: '127.0.0.1:0',
    LOG_LEVEL: 'warn',
    ...options.environment,
  });
  const logger = pino({ level: 'warn' });
  const store = await openStore({
    dataDir,
    databaseUrl: environment.DATABASE_URL,
    secretKey: environment.REGATTA_SECRET_KEY,
    logger,
  });
  const worker =
    options.worker === false ? undefined : await startWorker(environment, bed.temporal!.address, logger);
  const connection = await Connection.connect({ address: bed.temporal!.address });
  const client = new Client({ connection });
  return {
    environment,
    store,
    client,
    worker,
    async createPolicy(body) {
      const policy = await store.policies.create(
        policyDefinitionFromInput(ReplicationPolicyInput.parse(body)),
      );
      const names = new Map<number, string>();
      for (const id of policy.dest_registry_ids) names.set(id, (await store.registries.get(id)).name);
      return policySnapshot(policy, (id) => names.get(id) ?? String(id));
    },
    async tasks(workflowId, request = {}) {
      const record = await store.executions.getByWorkflowId(workflowId);
      if (!record) throw new Error(`no execution recorded for ${workflowId}`);
      const found = await readTasks(client, store, record, request);
      if (!found) throw new Error(`the tasks of ${workflowId} could not be read`);
      return found;
    },
    async addRegistry(registry, name = registry.name) {
      const created = await store.registries.create({ ...harborRegistryBody(registry), name });
      return created.id;
    },
    async stop() {
      await worker?.stop();
      await connection.close();
      await store.close();
    },
  };
}
