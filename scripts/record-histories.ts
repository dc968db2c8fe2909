// Records the histories of every shape of Regatta's workflows from the real Temporal dev server
// into test/fixtures/histories/<label>/: most with scripted activities (replay reads activity
// results from history), tree runs and a rate-limit wait with the worker's own activities against
// the test bed's registries. test/unit/workflow-replay.test.ts replays every file there against
// today's workflow code, so a change that breaks runs in flight fails CI.
//
//   npm run record-histories -- <label>      e.g. the commit or release the histories come from
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  Client,
  Connection,
  ScheduleOverlapPolicy,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { pino } from 'pino';
import {
  defaultDeliverySchedule,
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
import type { PolicySnapshot } from '../policies/index.js';
import { replicationActivities } from '../server/start-worker.js';
import { bundleWorkflows, createWorker } from '../worker/create-worker.js';
import { eventually } from '../test/harness/eventually.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../test/harness/fault-proxy.js';
import { harborRegistryBody } from '../test/harness/harbor-registry-body.js';
import { pushImage } from '../test/harness/images.js';
import { hubsAndSites, snapshotOf } from '../test/harness/policy-snapshot.js';
import { startRegattaWorker, type RegattaUnderTest } from '../test/harness/regatta-worker.js';
import { scriptedActivities } from '../test/harness/scripted-activities.js';
import { startTestBed, type TestBed } from '../test/harness/test-bed.js';
import { findTemporalCli } from '../temporal/find-temporal-cli.js';

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

/** The test bed's registries in Regatta's store, for the shapes recorded with real activities. */
interface Registries {
  bed: TestBed;
  regatta: RegattaUnderTest;
  /** HQ → hub-eu → site-paris and site-lyon. */
  tree: PolicySnapshot;
  /** hub-eu through a fault proxy answering 429 once to a tag list and once to a manifest → one site. */
  limited: PolicySnapshot;
}

interface Shape {
  name: string;
  /** Scripted answers, or `registries`: the worker's own activities against the test bed. */
  activities: Partial<ReplicationActivities> | 'registries';
  /** Starts the workflow(s) and waits for the end; returns the top workflow ids. */
  run(client: Client, registries: Registries): Promise<string[]>;
}

/**
 * A workflow recorded to its end: `meanwhile` acts on it while it runs (a stop, say), then its
 * end is awaited, a failed or stopped one included; answers its id.
 */
async function recorded(
  handle: WorkflowHandle,
  meanwhile?: (handle: WorkflowHandle) => Promise<void>,
): Promise<string[]> {
  await meanwhile?.(handle);
  await handle.result().catch(() => undefined);
  return [handle.workflowId];
}

/** A run started with `input`, recorded to its end. */
const runToEnd = async (
  client: Client,
  workflowId: string,
  input: ReplicationRunInput,
  meanwhile?: (handle: WorkflowHandle) => Promise<void>,
) =>
  recorded(
    await client.workflow.start(replicationRunType, { taskQueue, workflowId, args: [input] }),
    meanwhile,
  );

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
    activities: {
      enumerateArtifacts: pagesOf(tags(1200)),
      copyBatch: async (input) =>
        answer(input, (taskId, artifact) =>
          Number(artifact.tag!.slice(1)) % 100 === 0
            ? copied(taskId)
            : { taskId, ok: true, outcome: 'skipped', digest: digest('a'), bytes: 0 },
        ),
    },
    run: (client) =>
      runToEnd(client, 'to-one-site/manual/multi-page', { policy: oneSite, trigger: 'manual' }),
  },
  {
    // One page, checked as it was listed: two tags in place at both sites, one stale at site 3.
    name: 'manual-listed-check',
    activities: {
      enumerateArtifacts: async ({ checkIfLast }) => ({
        artifacts: tags(3),
        ...(checkIfLast
          ? {
              inPlace: {
                found: [0, 1, 2, 3, 4].map((taskId) => ({
                  taskId,
                  outcome: 'skipped' as const,
                  digest: digest('a'),
                })),
                digests: [digest('a')],
                sourceDigestOf: [-1, -1, 0],
                stale: [5],
              },
            }
          : {}),
      }),
      copyBatch: async (input) => answer(input, copied),
    },
    run: (client) =>
      runToEnd(client, 'to-two-sites/manual/listed-check', { policy: twoSites, trigger: 'manual' }),
  },
  {
    // A run whose end a notification policy wants told: its deliveries prepared, a child started.
    name: 'manual-notified',
    activities: {
      enumerateArtifacts: async () => ({ artifacts: tags(1) }),
      copyBatch: async (input) => answer(input, copied),
      closeRun: async () => ({ notify: true }),
      prepareNotifications: async () => ({ deliveryIds: [1], schedule: defaultDeliverySchedule }),
    },
    run: (client) => runToEnd(client, 'to-one-site/manual/notified', { policy: oneSite, trigger: 'manual' }),
  },
  {
    name: 'event-push-retried',
    activities: {
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
    run: (client) =>
      runToEnd(client, 'to-two-sites-1/event/push/production/api:v1@bbbb/0123456789abcdef', {
        policy: twoSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', tag: 'v1', digest: digest('b') }],
        eventTime: '2026-11-29T12:00:00.000Z',
      }),
  },
  {
    name: 'event-push-failed',
    activities: {
      copyBatch: async () => {
        throw ApplicationFailure.create({
          type: 'REGISTRY_UNAUTHORIZED',
          message: 'refused',
          nonRetryable: true,
        });
      },
    },
    run: (client) =>
      runToEnd(client, 'to-two-sites-1/event/push/production/api:v2@cccc/0123456789abcdef', {
        policy: twoSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', tag: 'v2', digest: digest('c') }],
      }),
  },
  {
    name: 'event-delete',
    activities: {},
    run: (client) =>
      runToEnd(client, 'to-two-sites-1/event/delete/production/api:@dddd/0123456789abcdef', {
        policy: twoSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', digest: digest('d') }],
        operation: 'delete',
      }),
  },
  {
    name: 'manual-stopped',
    activities: {
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
    run: (client) =>
      runToEnd(
        client,
        'to-two-sites/manual/stopped',
        { policy: twoSites, trigger: 'manual' },
        async (handle) => {
          await eventually(
            async () => ((await handle.query(runStatusQuery)).tally.statuses.Succeed ?? 0) >= 100,
            20_000,
            'a batch copied',
          );
          await handle.cancel();
        },
      ),
  },
  {
    name: 'mirror-prune',
    activities: {
      enumerateArtifacts: async () => ({ artifacts: tags(3) }),
      planPrune: async () => ({
        artifacts: [
          { repository: 'production/api', tag: 'old-1', digest: digest('e') },
          { repository: 'production/api', tag: 'old-2', digest: digest('f') },
        ],
        inScope: 5,
      }),
    },
    run: (client) => runToEnd(client, 'dr-mirror/manual/prune', { policy: mirror, trigger: 'manual' }),
  },
  {
    name: 'mirror-refused',
    activities: {
      enumerateArtifacts: async () => ({ artifacts: tags(1) }),
      planPrune: async () => ({
        artifacts: [],
        inScope: 10,
        refusal: 'would delete 8 of 10 tags in scope (80%), more than max_delete_ratio 0.5',
      }),
    },
    run: (client) => runToEnd(client, 'dr-mirror/manual/refused', { policy: mirror, trigger: 'manual' }),
  },
  {
    name: 'dry-run',
    activities: {
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
    run: (client) =>
      runToEnd(client, 'dr-mirror/manual/dry-run', { policy: mirror, trigger: 'manual', dryRun: true }),
  },
  {
    name: 'skipped-single-active',
    activities: {},
    run: (client) =>
      runToEnd(client, 'to-one-site/manual/skipped', {
        policy: oneSite,
        trigger: 'manual',
        skipReason: 'another execution of this policy is in progress (single_active_replication)',
      }),
  },
  {
    name: 'scheduled',
    activities: { enumerateArtifacts: async () => ({ artifacts: tags(2) }) },
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
      const ids = await recorded(client.workflow.getHandle(started));
      await schedule.delete();
      return ids;
    },
  },
  {
    name: 'drift-audit',
    activities: {
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
    run: async (client) =>
      recorded(
        await client.workflow.start(driftAuditType, {
          taskQueue,
          workflowId: 'regatta-drift-1-head',
          args: [{ policy: twoSites, verify: 'head' }],
        }),
      ),
  },
  {
    // Both hubs refuse for good: hub 2's sites fail with HUB_FAILED, hub 3's come from the source.
    name: 'tree-hub-failed',
    activities: {
      copyBatch: async (input) => ({
        results: input.items.flatMap((item) =>
          item.targets.map(({ taskId, registryId }) =>
            registryId === 2 || registryId === 3
              ? {
                  taskId,
                  ok: false,
                  outcome: 'failed' as const,
                  bytes: 0,
                  error: { code: 'REGISTRY_UNAUTHORIZED', message: 'refused', retryable: false },
                }
              : copied(taskId),
          ),
        ),
      }),
    },
    run: (client) =>
      runToEnd(client, 'hq-hubs-sites-4/event/push/production/api:v1@bbbb/0123456789abcdef', {
        policy: hubsAndSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', tag: 'v1', digest: digest('b') }],
      }),
  },
  {
    name: 'tree-manual',
    activities: 'registries',
    async run(client, { bed, tree }) {
      for (const tag of ['v1', 'v2'])
        await pushImage({ registry: bed.hq }, 'tree/app', tag, { layerSizes: [4096, 1024] });
      return runToEnd(client, 'hq-hub-sites/manual/tree', { policy: tree, trigger: 'manual' });
    },
  },
  {
    name: 'tree-event-push',
    activities: 'registries',
    async run(client, { bed, tree }) {
      const image = await pushImage({ registry: bed.hq }, 'tree/app', 'v3', { layerSizes: [2048] });
      return runToEnd(
        client,
        `hq-hub-sites-1/event/push/tree/app:v3@${image.digest.slice(7, 11)}/0123456789abcdef`,
        {
          policy: tree,
          trigger: 'event_based',
          artifacts: [{ repository: 'tree/app', tag: 'v3', digest: image.digest }],
          eventTime: new Date().toISOString(),
        },
      );
    },
  },
  {
    name: 'tree-dry-run',
    activities: 'registries',
    async run(client, { bed, tree }) {
      await pushImage({ registry: bed.hq }, 'tree/app', 'v4', { layerSizes: [3072] });
      return runToEnd(client, 'hq-hub-sites/manual/tree-dry-run', {
        policy: tree,
        trigger: 'manual',
        dryRun: true,
      });
    },
  },
  {
    name: 'rate-limit-wait',
    activities: 'registries',
    async run(client, { bed, limited }) {
      await pushImage({ registry: bed.sites[0] }, 'limited/app', 'v1', { layerSizes: [2048] });
      return runToEnd(client, 'limited-to-site/manual/rate-limit', { policy: limited, trigger: 'manual' });
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
  // A drift audit has no pages and answers no status query.
  const handle = client.workflow.getHandle(workflowId);
  const { pages = [] } =
    (await handle.describe()).type === replicationRunType ? await handle.query(runStatusQuery) : {};
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

/** A 429 asking for a wait longer than a request sleeps through: the run waits it out with a timer. */
const tooManyRequests: Fault = { kind: 'refuse', status: 429, retryAfterSeconds: 6 };

/** Registers the test bed's registries and the policies of the shapes recorded with real activities. */
async function registriesOf(bed: TestBed, limiter: FaultProxy): Promise<Registries> {
  const regatta = await startRegattaWorker(bed, { worker: false });
  const hq = await regatta.addRegistry(bed.hq, 'hq');
  const [hub, paris, lyon] = [
    await regatta.addRegistry(bed.sites[0], 'hub-eu'),
    await regatta.addRegistry(bed.sites[1], 'site-paris'),
    await regatta.addRegistry(bed.sites[2], 'site-lyon'),
  ];
  const limitedSource = (
    await regatta.store.registries.create({
      ...harborRegistryBody(bed.sites[0]),
      name: 'hub-eu-limited',
      url: limiter.url,
    })
  ).id;
  const tree = await regatta.createPolicy({
    name: 'hq-hub-sites',
    src_registry: { id: hq },
    filters: [{ type: 'name', value: 'tree/**' }],
    on_hub_failure: 'from_parent',
    tree: [{ registry: { id: hub }, children: [{ registry: { id: paris } }, { registry: { id: lyon } }] }],
  });
  const limited = await regatta.createPolicy({
    name: 'limited-to-site',
    src_registry: { id: limitedSource },
    dest_registry: { id: paris },
    filters: [{ type: 'name', value: 'limited/**' }],
  });
  return { bed, regatta, tree, limited };
}

const bed = await startTestBed();
// The first tag list and the first manifest GET through it are answered 429.
const limiter = await startFaultProxy(bed.sites[0]);
limiter.rules = [
  { method: 'GET', path: /\/tags\/list/, fault: tooManyRequests, times: 1 },
  { method: 'GET', path: /\/manifests\//, fault: tooManyRequests, times: 1 },
];
const temporal = bed.temporal!;
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const registries = await registriesOf(bed, limiter);
const { activities: realActivities, clients: registryClients } = replicationActivities(
  registries.regatta.environment,
  registries.regatta.store,
  pino({ level: 'silent' }),
);
const workflowBundle = await bundleWorkflows();
await mkdir(folder, { recursive: true });
try {
  for (const shape of shapes) {
    const activities =
      shape.activities === 'registries' ? realActivities : scriptedActivities(shape.activities).activities;
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
      const began = performance.now();
      // Read while the worker runs: a run's pages are found by querying it.
      const histories = await worker.runUntil(async () => {
        const ids = await shape.run(client, registries);
        return (await Promise.all(ids.map((id) => historiesOf(client, temporal.address, id)))).flat();
      });
      await writeFile(
        join(folder, `${shape.name}.json`),
        `${JSON.stringify({ shape: shape.name, histories })}\n`,
      );
      process.stdout.write(
        `${shape.name}: ${histories.length} histories (${((performance.now() - began) / 1000).toFixed(1)} s)\n`,
      );
    } finally {
      await workerConnection.close();
    }
  }
} finally {
  await connection.close();
  await registryClients.close();
  await registries.regatta.stop();
  await limiter.stop();
  await bed.stop();
}
