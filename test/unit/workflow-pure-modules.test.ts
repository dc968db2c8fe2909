// Regatta's pure modules (contract, policies, oci, errors) are loaded once per workflow thread and
// shared by its workflows (workflows/pure-modules.ts), on the dev server with a real worker.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { taskQueue } from '../../contract/index.js';
import { bundleWorkflowsApart } from '../../worker/bundle-workflows-apart.js';
import { createWorker } from '../../worker/create-worker.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal-server.js';
import type { pureModules } from '../fixtures/pure-modules-workflow.js';

const entry = fileURLToPath(new URL('../fixtures/pure-modules-workflow.ts', import.meta.url));

describe('pure modules in the workflow sandbox', () => {
  let temporal: TestTemporal;
  let connection: Connection;
  let client: Client;

  before(async () => {
    temporal = await startTestTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await temporal?.stop();
  });

  it('shared: their data frozen, their schemas parsing and refusing in one workflow after another', async () => {
    const { worker, connection: workerConnection } = await createWorker({
      address: temporal.address,
      namespace: 'default',
      activities: {},
      workflowBundle: await bundleWorkflowsApart({ entry }),
      activityConcurrency: 1,
      workflowConcurrency: 2,
      shutdownGraceSeconds: 1,
    });
    const run = (candidate: unknown) =>
      client.workflow.execute<typeof pureModules>('pureModules', {
        taskQueue,
        workflowId: `pure-modules-${randomUUID()}`,
        args: [candidate],
      });
    try {
      const answers = await worker.runUntil(async () => [
        await run({ repository: 'library/nginx', tag: '1.27' }),
        await run({ repository: 42 }),
        await run({ repository: 'library/redis', digest: `sha256:${'a'.repeat(64)}` }),
      ]);
      // Modules evaluated per workflow are not frozen; the data of the shared ones is.
      assert.deepEqual(answers, [
        { dataFrozen: true, parsed: true },
        { dataFrozen: true, parsed: false },
        { dataFrozen: true, parsed: true },
      ]);
    } finally {
      await workerConnection.close();
    }
  });
});
