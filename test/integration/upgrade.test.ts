// A rolling upgrade with a run in flight: a long multi-page run starts on workers of today's
// workflow code (version 1); a worker of the next version (a change behind patched(), from
// test/fixtures/workflow-variants/upgraded.ts) joins; version 1 stops. The run completes, new runs
// take the new code, and runs closed before read from the store with no worker at all. And the
// way out README gives for a run whose replay fails anyway (a change made without patched()).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import protos from '@temporalio/proto';
import type { WorkflowBundle } from '@temporalio/worker';
import { pino } from 'pino';
import { createReplicationActivities } from '../../activities/create-replication-activities.js';
import { connectionSettings, defaultCopySettings } from '../../activities/copy-settings.js';
import { createStoreRegistryClients } from '../../activities/store-registry-clients.js';
import {
  replicationRunType,
  runStatusQuery,
  taskQueue,
  type Artifact,
  type ReplicationActivities,
  type ReplicationRunWorkflow,
} from '../../contract/index.js';
import { readExecution, readTasks } from '../../service/read-execution.js';
import { openStore, type Store } from '../../store/index.js';
import { bundleWorkflows, createWorker } from '../../worker/create-worker.js';
import { eventually } from '../harness/eventually.js';
import { snapshotOf } from '../harness/policy-snapshot.js';
import { scriptedActivities } from '../harness/scripted-activities.js';
import { runCommand } from '../harness/run-command.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal-server.js';
import { findTemporalCli } from '../../temporal/find-temporal-cli.js';

const { EventType, WorkflowTaskFailedCause } = protos.temporal.api.enums.v1;

const artifacts: Artifact[] = Array.from({ length: 1200 }, (_, index) => ({
  repository: `production/app-${Math.floor(index / 400)}`,
  tag: `t${String(index % 400).padStart(4, '0')}`,
}));
const policy = snapshotOf(1, { name: 'long-run', src_registry: { id: 1 }, dest_registry: { id: 2 } });

describe('upgrade – a run in flight survives a new version of the workflow code', () => {
  let temporal: TestTemporal;
  let connection: Connection;
  let client: Client;
  let store: Store;
  let dataDir: string;
  let activities: ReplicationActivities;
  let version1: WorkflowBundle;
  let version2: WorkflowBundle;
  let unpatched: WorkflowBundle;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-upgrade-'));
    const variant = (name: string) =>
      bundleWorkflows(fileURLToPath(new URL(`../fixtures/workflow-variants/${name}.ts`, import.meta.url)));
    [temporal, version1, version2, unpatched] = await Promise.all([
      startTestTemporal(),
      bundleWorkflows(),
      variant('upgraded'),
      variant('unpatched'),
    ]);
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    store = await openStore({ dataDir, secretKey: 'upgrade-test-key', logger: pino({ level: 'silent' }) });
    // Registries are scripted (each copy takes a moment); what a run keeps goes to the real store.
    const kept = createReplicationActivities({
      store,
      clients: createStoreRegistryClients(store, {}, connectionSettings(8, defaultCopySettings)),
    });
    activities = {
      ...scriptedActivities({
        enumerateArtifacts: async ({ cursor, pageSize }) => {
          const from = cursor
            ? artifacts.findIndex((a) => a.repository === cursor.repository && a.tag === cursor.tag) + 1
            : 0;
          const page = artifacts.slice(from, from + pageSize);
          const last = page.at(-1)!;
          return from + pageSize < artifacts.length
            ? { artifacts: page, next: { repository: last.repository, tag: last.tag! } }
            : { artifacts: page };
        },
        replicateArtifact: async (input) => {
          await sleep(15);
          return {
            destinations: input.destinations.map((d) => ({
              ...d,
              ok: true,
              outcome: 'copied' as const,
              bytes: 100,
            })),
          };
        },
      }).activities,
      recordExecution: kept.recordExecution,
      recordPageTasks: kept.recordPageTasks,
      recordRunResult: kept.recordRunResult,
      openRun: kept.openRun,
      closeRun: kept.closeRun,
    };
  });
  after(async () => {
    await connection?.close();
    await temporal?.stop();
    await store?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const worker = (workflowBundle: WorkflowBundle, served: ReplicationActivities = activities) =>
    createWorker({
      address: temporal.address,
      namespace: 'default',
      activities: served,
      workflowBundle,
      activityConcurrency: 16,
      workflowConcurrency: 8,
      shutdownGraceSeconds: 2,
    });

  const start = (workflowId: string, input: { artifacts?: Artifact[] } = {}) =>
    client.workflow.start<ReplicationRunWorkflow>(replicationRunType, {
      taskQueue,
      workflowId,
      args: [{ policy, trigger: 'manual', ...input }],
    });

  const memoOf = async (workflowId: string) =>
    (await client.workflow.getHandle(workflowId).describe()).memo ?? {};

  it('version 1 → 2 with a multi-page run in flight: it completes on 2; new runs take 2; closed runs read with no worker', async () => {
    const one = await worker(version1);
    const oneRunning = one.worker.run();
    // A run that starts and closes on version 1.
    const closedBefore = await start('closed-on-1', { artifacts: artifacts.slice(0, 3) });
    assert.equal((await closedBefore.result()).status, 'Succeed');
    // The long run: three pages; version 1 takes it through its first page.
    const long = await start('in-flight');
    await eventually(
      async () => ((await long.query(runStatusQuery)).pages?.length ?? 0) >= 2,
      60_000,
      'page 2 to start',
    );

    const two = await worker(version2);
    const twoRunning = two.worker.run();
    one.worker.shutdown();
    await oneRunning;
    await one.connection.close();

    // Bounded: a version 2 that cannot replay the run would leave it stuck on workflow task failures.
    const summary = await Promise.race([
      long.result(),
      sleep(120_000).then(() => {
        throw new Error('the run in flight did not complete on version 2 within 120 s');
      }),
    ]);
    assert.equal(summary.status, 'Succeed');
    assert.equal(summary.counts.total, 1200);
    assert.equal(summary.counts.succeed, 1200);
    assert.deepEqual(await memoOf('in-flight'), {}, 'the run started on version 1 kept its code path');

    const after = await start('after-upgrade', { artifacts: artifacts.slice(0, 2) });
    assert.equal((await after.result()).status, 'Succeed');
    assert.deepEqual(
      await memoOf('after-upgrade'),
      { workflowCode: 'upgraded' },
      'a new run takes version 2',
    );

    two.worker.shutdown();
    await twoRunning;
    await two.connection.close();

    // No worker runs now: closed runs are read from what they kept, never by replaying them.
    for (const [workflowId, total] of [
      ['closed-on-1', 3],
      ['in-flight', 1200],
    ] as const) {
      const record = await store.executions.getByWorkflowId(workflowId);
      assert.ok(record?.result, `${workflowId} kept its result`);
      const execution = await readExecution(client, record);
      assert.equal(execution.status, 'Succeed');
      assert.equal(execution.summary?.counts.total, total);
      const tasks = await readTasks(client, store, record, { offset: total - 1, limit: 5 });
      assert.equal(tasks?.matching, total);
      assert.deepEqual(
        tasks?.tasks.map((task) => [task.id, task.status, task.outcome]),
        [[total, 'Succeed', 'copied']],
      );
    }
  });
  it('a run whose replay fails (a change made without patched()): reset to its first workflow task, it runs again on the code at hand and completes, its execution kept', async () => {
    const { workflowId } = await start('stuck', { artifacts: artifacts.slice(0, 4) });
    const stuck = client.workflow.getHandle<ReplicationRunWorkflow>(workflowId);
    // Version 1 starts the run and holds its copy until it stops.
    let copying = false;
    const one = await worker(version1, {
      ...activities,
      copyBatch: async () => {
        copying = true;
        await new Promise((_, reject) =>
          Context.current().cancellationSignal.addEventListener('abort', () =>
            reject(new CancelledFailure('worker shut down')),
          ),
        );
        throw new Error('unreachable');
      },
    });
    const oneRunning = one.worker.run();
    await eventually(async () => copying, 30_000, 'the copy to start on version 1');
    one.worker.shutdown();
    await oneRunning;
    await one.connection.close();

    // The change without patched() cannot replay the run: its workflow task fails, and is retried, for ever.
    const next = await worker(unpatched);
    const nextRunning = next.worker.run();
    try {
      await eventually(
        async () =>
          ((await stuck.fetchHistory()).events ?? []).some(
            (event) =>
              event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED &&
              event.workflowTaskFailedEventAttributes?.cause ===
                WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
          ),
        60_000,
        'a workflow task failing on nondeterminism',
      );
      assert.equal((await stuck.describe()).status.name, 'RUNNING');

      // README's way out, as an operator types it.
      const reset = await runCommand(findTemporalCli(process.env.TEMPORAL_CLI), [
        'workflow',
        'reset',
        '--address',
        temporal.address,
        '--workflow-id',
        workflowId,
        '--type',
        'FirstWorkflowTask',
        '--reason',
        'replay fails after an upgrade',
      ]);
      assert.equal(reset.code, 0, reset.stderr);

      const summary = await Promise.race([
        client.workflow.getHandle<ReplicationRunWorkflow>(workflowId).result(),
        sleep(60_000).then(() => {
          throw new Error('the reset run did not complete within 60 s');
        }),
      ]);
      assert.equal(summary.status, 'Succeed');
      assert.equal(summary.counts.succeed, 4);
      assert.deepEqual(await memoOf(workflowId), { workflowCode: 'unpatched' }, 'it ran on the code at hand');
      const record = await store.executions.getByWorkflowId(workflowId);
      assert.equal(record?.result?.summary.status, 'Succeed', 'one execution, kept across the reset');
    } finally {
      next.worker.shutdown();
      await nextRunning;
      await next.connection.close();
    }
  });
});
