// Records the histories of every shape of Regatta's workflows from the real Temporal dev server,
// with scripted activities (no registries needed: replay reads activity results from history), into
// test/fixtures/histories/<label>/. test/unit/workflow-replay.test.ts replays every file there
// against today's workflow code, so a change that breaks runs in flight fails CI.
//
//   npm run record-histories -- <label>      e.g. the commit or release the histories come from
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Client, Connection, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  driftAuditType,
  replicationRunType,
  runStatusQuery,
  taskQueue,
  type Artifact,
  type CopyBatchInput,
  type TaskResult,
  type ReplicationActivities,
  type ReplicationRunInput,
} from '../contract/index.js';
import { bundleWorkflows, createWorker } from '../worker/create-worker.js';
import { eventually } from '../test/harness/eventually.js';
import { snapshotOf } from '../test/harness/policy-snapshot.js';
import { scriptedActivities } from '../test/harness/scripted-activities.js';
import { findTemporalCli } from '../temporal/find-temporal-cli.js';
import { startTestTemporal } from '../test/harness/temporal-server.js';

const label = process.argv[2];
if (!label || !/^[\w.-]+$/.test(label)) throw new Error('usage: record-histories <label>');
const folder = join(import.meta.dirname, '..', 'test', 'fixtures', 'histories', label);

const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;
const twoSites = snapshotOf(1, {
  name: 'to-two-sites',
  src_registry: { id: 1 },
  dest_registries: [{ id: 2 }, { id: 3 }],
});
const oneSite = snapshotOf(2, { name: 'to-one-site', src_registry: { id: 1 }, dest_registry: { id: 2 } });
const mirror = snapshotOf(3, {
  name: 'dr-mirror',
  src_registry: { id: 1 },
  dest_registry: { id: 2 },
  mirror: { prune: true, max_delete_ratio: 0.5, protect: ['*.sig'] },
});
const tags = (count: number, repository = 'production/api'): Artifact[] =>
  Array.from({ length: count }, (_, index) => ({ repository, tag: `v${index}` }));

/** A page of `all` after the cursor, as the enumerate activity answers. */
function pagesOf(all: Artifact[]): ReplicationActivities['enumerateArtifacts'] {
  return async ({ cursor, pageSize }) => {
    const from = cursor
      ? all.findIndex((a) => a.repository === cursor.repository && a.tag === cursor.tag) + 1
      : 0;
    const artifacts = all.slice(from, from + pageSize);
    const last = artifacts.at(-1);
    return from + pageSize < all.length && last
      ? { artifacts, next: { repository: last.repository, tag: last.tag! } }
      : { artifacts };
  };
}

interface Shape {
  name: string;
  script: Partial<ReplicationActivities>;
  /** Starts the workflow(s) and waits for the end; returns the top workflow ids. */
  run(client: Client): Promise<string[]>;
}

const start = (client: Client, workflowId: string, input: ReplicationRunInput) =>
  client.workflow.start(replicationRunType, { taskQueue, workflowId, args: [input] });

/** A batch's answer: every task of it as `result` says. */
const answer = (input: CopyBatchInput, result: (taskId: number, artifact: Artifact) => TaskResult) => ({
  results: input.items.flatMap((item) => item.targets.map((target) => result(target.taskId, item.artifact))),
});
const copied = (taskId: number): TaskResult => ({
  taskId,
  ok: true,
  outcome: 'copied',
  digest: digest('b'),
  bytes: 1024,
});

const shapes: Shape[] = [
  {
    name: 'manual-multi-page',
    script: {
      enumerateArtifacts: pagesOf(tags(1200)),
      copyBatch: async (input) =>
        answer(input, (taskId, artifact) =>
          Number(artifact.tag!.slice(1)) % 100 === 0
            ? copied(taskId)
            : { taskId, ok: true, outcome: 'skipped', digest: digest('a'), bytes: 0 },
        ),
    },
    async run(client) {
      await (
        await start(client, 'to-one-site/manual/multi-page', { policy: oneSite, trigger: 'manual' })
      ).result();
      return ['to-one-site/manual/multi-page'];
    },
  },
  {
    name: 'event-push-retried',
    script: {
      copyBatch: (() => {
        let attempt = 0;
        return async (input) => {
          attempt++;
          return answer(input, (taskId) =>
            attempt === 1 && taskId === 2
              ? {
                  taskId,
                  ok: false,
                  outcome: 'failed',
                  bytes: 0,
                  error: { code: 'REGISTRY_SERVER_ERROR', message: '503', retryable: true },
                }
              : copied(taskId),
          );
        };
      })(),
    },
    async run(client) {
      const id = 'to-two-sites-1/event/push/production/api:v1@bbbb/0123456789abcdef';
      await (
        await start(client, id, {
          policy: twoSites,
          trigger: 'event_based',
          artifacts: [{ repository: 'production/api', tag: 'v1', digest: digest('b') }],
          eventTime: '2026-11-29T12:00:00.000Z',
        })
      ).result();
      return [id];
    },
  },
  {
    name: 'event-push-failed',
    script: {
      copyBatch: async () => {
        throw ApplicationFailure.create({
          type: 'REGISTRY_UNAUTHORIZED',
          message: 'refused',
          nonRetryable: true,
        });
      },
    },
    async run(client) {
      const id = 'to-two-sites-1/event/push/production/api:v2@cccc/0123456789abcdef';
      await (
        await start(client, id, {
          policy: twoSites,
          trigger: 'event_based',
          artifacts: [{ repository: 'production/api', tag: 'v2', digest: digest('c') }],
        })
      )
        .result()
        .catch(() => undefined);
      return [id];
    },
  },
  {
    name: 'event-delete',
    script: {},
    async run(client) {
      const id = 'to-two-sites-1/event/delete/production/api:@dddd/0123456789abcdef';
      await (
        await start(client, id, {
          policy: twoSites,
          trigger: 'event_based',
          artifacts: [{ repository: 'production/api', digest: digest('d') }],
          operation: 'delete',
        })
      ).result();
      return [id];
    },
  },
  {
    name: 'manual-stopped',
    script: {
      enumerateArtifacts: async () => ({ artifacts: tags(120) }),
      copyBatch: async (input) => {
        if (input.items[0]!.artifact.tag === 'v0') return answer(input, copied);
        const context = Context.current();
        for (;;) {
          context.heartbeat();
          if (context.cancellationSignal.aborted) throw new CancelledFailure('stopped');
          await context.sleep(100).catch(() => undefined);
        }
      },
    },
    async run(client) {
      const id = 'to-two-sites/manual/stopped';
      const handle = await start(client, id, { policy: twoSites, trigger: 'manual' });
      await eventually(
        async () => ((await handle.query(runStatusQuery)).tally.statuses.Succeed ?? 0) >= 100,
        20_000,
        'a batch copied',
      );
      await handle.cancel();
      await handle.result().catch(() => undefined);
      return [id];
    },
  },
  {
    name: 'mirror-prune',
    script: {
      enumerateArtifacts: async () => ({ artifacts: tags(3) }),
      planPrune: async () => ({
        artifacts: [
          { repository: 'production/api', tag: 'old-1', digest: digest('e') },
          { repository: 'production/api', tag: 'old-2', digest: digest('f') },
        ],
        inScope: 5,
      }),
    },
    async run(client) {
      await (await start(client, 'dr-mirror/manual/prune', { policy: mirror, trigger: 'manual' })).result();
      return ['dr-mirror/manual/prune'];
    },
  },
  {
    name: 'mirror-refused',
    script: {
      enumerateArtifacts: async () => ({ artifacts: tags(1) }),
      planPrune: async () => ({
        artifacts: [],
        inScope: 10,
        refusal: 'would delete 8 of 10 tags in scope (80%), more than max_delete_ratio 0.5',
      }),
    },
    async run(client) {
      await (
        await start(client, 'dr-mirror/manual/refused', { policy: mirror, trigger: 'manual' })
      )
        .result()
        .catch(() => undefined);
      return ['dr-mirror/manual/refused'];
    },
  },
  {
    name: 'dry-run',
    script: {
      enumerateArtifacts: async () => ({ artifacts: tags(4) }),
      copyBatch: async (input) =>
        answer(input, (taskId, artifact) =>
          artifact.tag === 'v0'
            ? { taskId, ok: true, outcome: 'skipped', digest: digest('a'), bytes: 0 }
            : { taskId, ok: true, outcome: 'would_copy', bytes: 2048 },
        ),
      planPrune: async () => ({
        artifacts: [{ repository: 'production/api', tag: 'old-1', digest: digest('e') }],
        inScope: 5,
      }),
    },
    async run(client) {
      await (
        await start(client, 'dr-mirror/manual/dry-run', { policy: mirror, trigger: 'manual', dryRun: true })
      ).result();
      return ['dr-mirror/manual/dry-run'];
    },
  },
  {
    name: 'skipped-single-active',
    script: {},
    async run(client) {
      const id = 'to-one-site/manual/skipped';
      await (
        await start(client, id, {
          policy: oneSite,
          trigger: 'manual',
          skipReason: 'another execution of this policy is in progress (single_active_replication)',
        })
      ).result();
      return [id];
    },
  },
  {
    name: 'scheduled',
    script: { enumerateArtifacts: async () => ({ artifacts: tags(2) }) },
    async run(client) {
      const schedule = await client.schedule.create({
        scheduleId: 'regatta-policy-2',
        spec: { cronExpressions: ['0 3 29 2 *'] },
        action: {
          type: 'startWorkflow',
          workflowType: replicationRunType,
          workflowId: 'to-one-site/scheduled',
          taskQueue,
          args: [{ policy: oneSite, trigger: 'scheduled', operation: 'copy' }],
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
      await schedule.trigger();
      const started = await eventually(
        async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
        20_000,
        'the scheduled run to start',
      );
      await client.workflow.getHandle(started).result();
      await schedule.delete();
      return [started];
    },
  },
  {
    name: 'drift-audit',
    script: {
      auditDrift: async ({ policy }) => ({
        sourceTags: 3,
        destinations: policy.destinations.map((destination) => ({
          registryId: destination.registry_id,
          name: destination.name,
          missing: 1,
          different: 0,
          extra: 0,
          verified: 2,
          unservable: 0,
          recoveryPointSeconds: 60,
          oldestPendingChange: '2026-11-29T11:59:00.000Z',
          samples: {
            missing: [{ repository: 'production/api', tag: 'v3', sourceDigest: digest('a') }],
            different: [],
            extra: [],
            unservable: [],
          },
        })),
      }),
    },
    async run(client) {
      const id = 'regatta-drift-1-head';
      await client.workflow.execute(driftAuditType, {
        taskQueue,
        workflowId: id,
        args: [{ policy: twoSites, verify: 'head' }],
      });
      return [id];
    },
  },
];

const cli = findTemporalCli(process.env.TEMPORAL_CLI);

/**
 * A run's own history and those of its pages, in the JSON the
 * Temporal CLI writes (`temporal workflow show --output json`), which the SDK's replayer reads.
 */
async function historiesOf(
  client: Client,
  address: string,
  workflowId: string,
): Promise<Array<{ workflowId: string; history: unknown }>> {
  const found = [];
  // Pages are children named `<run>/page-<n>`; a run of one page copies it itself (no child).
  const { pages = [] } = await client.workflow
    .getHandle(workflowId)
    .query(runStatusQuery)
    .catch(() => ({ pages: [] }));
  const ids = [workflowId, ...pages.map((page) => page.workflowId).filter((id) => id !== workflowId)];
  for (const id of ids) {
    try {
      await client.workflow.getHandle(id).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) continue;
      throw error;
    }
    const { stdout } = await promisify(execFile)(
      cli,
      ['workflow', 'show', '--address', address, '--workflow-id', id, '--output', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    found.push({ workflowId: id, history: JSON.parse(stdout) as unknown });
  }
  return found;
}

const temporal = await startTestTemporal();
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const workflowBundle = await bundleWorkflows();
await mkdir(folder, { recursive: true });
try {
  for (const shape of shapes) {
    const { activities } = scriptedActivities(shape.script);
    const { worker, connection: workerConnection } = await createWorker({
      address: temporal.address,
      namespace: 'default',
      activities,
      workflowBundle,
      activityConcurrency: 8,
      workflowConcurrency: 8,
      shutdownGraceSeconds: 1,
    });
    try {
      const ids = await worker.runUntil(shape.run(client));
      const histories = (
        await Promise.all(ids.map((id) => historiesOf(client, temporal.address, id)))
      ).flat();
      await writeFile(
        join(folder, `${shape.name}.json`),
        `${JSON.stringify({ shape: shape.name, histories })}\n`,
      );
      process.stdout.write(`${shape.name}: ${histories.length} histories\n`);
    } finally {
      await workerConnection.close();
    }
  }
} finally {
  await connection.close();
  await temporal.stop();
}
