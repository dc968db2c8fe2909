// The run workflow on the real Temporal dev server with stubbed activities: how it retries,
// stops, pages and refuses, without registries. One bundle and one server for the file, a worker
// per test, each test its own workflow ids.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import protos from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import {
  pageTasksQuery,
  replicationRunType,
  runStatusQuery,
  taskQueue,
  type Artifact,
  type EnumerateArtifactsInput,
  type ExecutionSummary,
  type CopyBatchInput,
  type CopyBatchItem,
  type FindUpToDateInput,
  type TaskResult,
  type UpToDateTask,
  type ReplicationActivities,
  type ReplicationRunInput,
  type ReplicationRunWorkflow,
} from '../../contract/index.js';
import { bundleWorkflowsApart } from '../../worker/bundle-workflows-apart.js';
import { eventually } from '../harness/eventually.js';
import { runOutcome } from '../harness/run-outcome.js';
import { scriptedActivities } from '../harness/scripted-activities.js';
import { hubsAndSites, snapshotOf } from '../harness/policy-snapshot.js';
import { temporalForSuite } from '../harness/suite-temporal.js';

const twoSites = snapshotOf(1, {
  name: 'to-two-sites',
  src_registry: { id: 1 },
  dest_registries: [{ id: 2 }, { id: 3 }],
});

/** A mirror of HQ to one site that prunes up to `maxDeleteRatio` of what is in scope. */
const mirrorOf = (maxDeleteRatio: number) =>
  snapshotOf(3, {
    name: 'dr-mirror',
    src_registry: { id: 1 },
    dest_registry: { id: 2 },
    mirror: { prune: true, max_delete_ratio: maxDeleteRatio },
  });

const { EventType } = protos.temporal.api.enums.v1;

/** Whether the run's first local activity (openRun) has its marker end its workflow task. */
function openRunEndsItsTask(history: protos.temporal.api.history.v1.IHistory): boolean {
  const events = history.events ?? [];
  const marker = events.findIndex(
    (event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  return marker >= 0 && events[marker + 1]?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED;
}

describe('replicationRun workflow (stubbed activities)', () => {
  let bundle: WorkflowBundle;
  const suite = temporalForSuite(async () => {
    // Bundled as the worker bundles: in a child process, every character within Latin-1.
    bundle = await bundleWorkflowsApart();
    assert.ok(!/[\u0100-\uffff]/.test(bundle.code), 'the bundle is escaped to Latin-1');
  });

  /** Runs `body` with a worker serving these activities; the worker is stopped after. */
  const withWorker = <T>(activities: ReplicationActivities, body: () => Promise<T>): Promise<T> =>
    suite.withWorker(
      { activities, workflowBundle: bundle, activityConcurrency: 8, workflowConcurrency: 8 },
      body,
    );

  const start = (input: ReplicationRunInput) =>
    suite.client.workflow.start<ReplicationRunWorkflow>(replicationRunType, {
      taskQueue,
      workflowId: `test-${randomUUID()}`,
      args: [input],
    });

  /** A batch's answer: every task by `outcome(task, attempt)`. */
  const answer = (
    input: CopyBatchInput,
    result: (target: CopyBatchItem['targets'][number]) => TaskResult,
  ) => ({
    results: input.items.flatMap((item) => item.targets.map(result)),
  });
  const failed = (taskId: number, retryable: boolean): TaskResult => ({
    taskId,
    ok: false,
    outcome: 'failed',
    bytes: 0,
    error: {
      code: retryable ? 'REGISTRY_SERVER_ERROR' : 'REGISTRY_UNAUTHORIZED',
      message: 'refused',
      retryable,
    },
  });
  const copied = (taskId: number): TaskResult => ({ taskId, ok: true, outcome: 'copied', bytes: 100 });
  const rateLimitedTask = (taskId: number, resumeAt: string): TaskResult => ({
    taskId,
    ok: false,
    outcome: 'failed',
    bytes: 0,
    error: { code: 'REGISTRY_RATE_LIMITED', message: 'dc-3: rate limited', retryable: true, resumeAt },
  });

  it('retries – only the failed destination, then the run succeeds', async () => {
    let attempt = 0;
    const { activities, callsOf } = scriptedActivities({
      copyBatch: async (input) => {
        attempt++;
        return answer(input, (target) =>
          attempt === 1 && target.registryId === 3 ? failed(target.taskId, true) : copied(target.taskId),
        );
      },
    });
    const summary = await withWorker(activities, async () => {
      const handle = await start({
        policy: twoSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', tag: 'v1', digest: `sha256:${'a'.repeat(64)}` }],
      });
      return handle.result();
    });
    assert.equal(summary.status, 'Succeed');
    assert.deepEqual(summary.counts, { total: 2, failed: 0, succeed: 2, in_progress: 0, stopped: 0 });
    assert.deepEqual(
      callsOf<CopyBatchInput>('copyBatch').map((input) =>
        input.items.flatMap((item) => item.targets.map((target) => target.registryId)),
      ),
      [[2, 3], [3]],
    );
    assert.equal(callsOf('replicateArtifact').length, 0, 'no activity per artifact');
  });

  it('retries – a destination that keeps failing fails alone after its attempts', async () => {
    const { activities, callsOf } = scriptedActivities({
      copyBatch: async (input) =>
        answer(input, (target) =>
          target.registryId === 3 ? failed(target.taskId, false) : copied(target.taskId),
        ),
    });
    const summary = await withWorker(activities, async () =>
      runOutcome(
        await start({
          policy: twoSites,
          trigger: 'event_based',
          artifacts: [{ repository: 'production/api', tag: 'v1' }],
        }),
      ),
    );
    assert.equal(summary.status, 'Failed');
    assert.deepEqual(summary.counts, { total: 2, failed: 1, succeed: 1, in_progress: 0, stopped: 0 });
    // Not retryable: one attempt only.
    assert.equal(callsOf('copyBatch').length, 1);
  });

  it('budget – a destination failing for a transient reason is tried until its budget, then fails saying so', async () => {
    const { activities, callsOf } = scriptedActivities({
      openRun: async () => ({ executionId: 1, settings: { retryBudgetMs: 5_000 } }),
      copyBatch: async (input) =>
        answer(input, (target) =>
          target.registryId === 3 ? failed(target.taskId, true) : copied(target.taskId),
        ),
    });
    const { summary, tasks } = await withWorker(activities, async () => {
      const handle = await start({
        policy: twoSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', tag: 'v1' }],
      });
      return { summary: await runOutcome(handle), tasks: await handle.query(pageTasksQuery) };
    });
    assert.equal(summary.status, 'Failed');
    assert.match(summary.statusText, /1 failed \(0 permanent, 1 after its retry budget\)/);
    // Tried at 0 s, then after 2 s and 4 s of backoff: the third failure is past the 5 s budget.
    assert.equal(callsOf('copyBatch').length, 3);
    const site3 = tasks.tasks.find((task) => task.destinationRegistryId === 3)!;
    assert.equal(site3.status, 'Failed');
    assert.equal(site3.outcome, 'retry_budget_spent');
    assert.match(site3.error!.message, /retry budget of 5 s spent after 3 attempts/);
    assert.equal(tasks.tasks.find((task) => task.destinationRegistryId === 2)!.status, 'Succeed');
  });

  it('budget – a batch that fails whole is tried again by the page after its quick retries; the run succeeds', async () => {
    let calls = 0;
    const { activities } = scriptedActivities({
      openRun: async () => ({ executionId: 1, settings: { retryBudgetMs: 60_000 } }),
      copyBatch: async (input) => {
        // The first activity's three attempts and the page's next try fail: the source unreachable.
        if (++calls <= 4)
          throw ApplicationFailure.retryable('the source did not answer', 'REGISTRY_UNAVAILABLE');
        return answer(input, (target) => copied(target.taskId));
      },
    });
    const summary = await withWorker(activities, async () =>
      runOutcome(
        await start({
          policy: twoSites,
          trigger: 'event_based',
          artifacts: [{ repository: 'production/api', tag: 'v1' }],
        }),
      ),
    );
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.equal(calls, 5);
  });

  it('budget – a batch refused for good fails its tasks at once, saying permanent', async () => {
    let calls = 0;
    const { activities } = scriptedActivities({
      // Short, so a refusal taken for transient ends in seconds (and fails the test) rather than 30 min.
      openRun: async () => ({ executionId: 1, settings: { retryBudgetMs: 10_000 } }),
      copyBatch: async () => {
        calls++;
        throw ApplicationFailure.nonRetryable('the source registry is not in the store', 'NOT_FOUND');
      },
    });
    const { summary, tasks } = await withWorker(activities, async () => {
      const handle = await start({
        policy: twoSites,
        trigger: 'event_based',
        artifacts: [{ repository: 'production/api', tag: 'v1' }],
      });
      return { summary: await runOutcome(handle), tasks: await handle.query(pageTasksQuery) };
    });
    assert.equal(summary.status, 'Failed');
    assert.equal(calls, 1);
    assert.deepEqual(
      tasks.tasks.map((task) => [task.status, task.error?.code, /permanent/.test(task.error?.message ?? '')]),
      [
        ['Failed', 'NOT_FOUND', true],
        ['Failed', 'NOT_FOUND', true],
      ],
    );
  });

  it('budget – a listing that keeps failing fails the run after the budget and says so', async () => {
    let calls = 0;
    const { activities, callsOf } = scriptedActivities({
      openRun: async () => ({ executionId: 1, settings: { retryBudgetMs: 4_000 } }),
      enumerateArtifacts: async () => {
        calls++;
        throw ApplicationFailure.retryable('the source answered 503', 'REGISTRY_UNAVAILABLE');
      },
    });
    const ended = await withWorker(activities, async () =>
      (await start({ policy: twoSites, trigger: 'manual' })).result().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    assert.ok(ended instanceof WorkflowFailedError, String(ended));
    // 1 s, 2 s then 4 s of waits: the third no longer fits in 4 s, so three attempts.
    assert.equal(calls, 3);
    const [recorded] = callsOf<{ summary: ExecutionSummary }>('closeRun');
    assert.match(recorded!.summary.statusText, /^run failed \(retry budget of 4 s spent\): /);
  });

  it('batches – a page of 120 artifacts is three copy activities of at most 50, two at a time', async () => {
    const artifacts: Artifact[] = Array.from({ length: 120 }, (_, index) => ({
      repository: 'production/api',
      tag: `v${index}`,
    }));
    let inFlight = 0;
    let most = 0;
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts }),
      copyBatch: async (input) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 200));
        inFlight--;
        return answer(input, (target) => copied(target.taskId));
      },
    });
    const summary = await withWorker(activities, async () =>
      (await start({ policy: twoSites, trigger: 'manual' })).result(),
    );
    assert.equal(summary.status, 'Succeed');
    assert.equal(summary.counts.total, 240);
    assert.deepEqual(
      callsOf<CopyBatchInput>('copyBatch').map((input) => input.items.length),
      [50, 50, 20],
    );
    // An enumerated run checks what is in place, the whole page at once; the batches need not.
    assert.deepEqual(
      callsOf<FindUpToDateInput>('checkInPlace').map((input) => input.checks.length),
      [120],
    );
    assert.ok(callsOf<CopyBatchInput>('copyBatch').every((input) => !input.checkUpToDate));
    assert.equal(most, 2);
  });

  it('checks – the tasks a page finds in place end without a copy; the others are copied by what the check saw', async () => {
    const artifacts: Artifact[] = Array.from({ length: 120 }, (_, index) => ({
      repository: 'production/api',
      tag: `v${index}`,
    }));
    const digest = `sha256:${'d'.repeat(64)}`;
    const odd = (artifact: Artifact) => Number(artifact.tag!.slice(1)) % 2 === 1;
    let v3Failed = false;
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts }),
      // Site 2 has every tag already; site 3 the even ones only, and v1 on another digest (kept).
      checkInPlace: async ({ checks }) => {
        const toCopy = checks.filter(({ artifact }) => odd(artifact) && artifact.tag !== 'v1');
        return {
          found: checks.flatMap(({ artifact, targets }) =>
            targets.flatMap((target): UpToDateTask[] => {
              if (target.registryId === 2 || !odd(artifact))
                return [{ taskId: target.taskId, outcome: 'skipped', digest }];
              return artifact.tag === 'v1'
                ? [{ taskId: target.taskId, outcome: 'kept', digest: `sha256:${'e'.repeat(64)}` }]
                : [];
            }),
          ),
          digests: [digest],
          sourceDigestOf: checks.map((check) => (toCopy.includes(check) ? 0 : -1)),
          stale: toCopy.flatMap(({ targets }) =>
            targets.filter((target) => target.registryId === 3).map((target) => target.taskId),
          ),
        };
      },
      // v3 fails once (transient), and is tried again.
      copyBatch: async (input) =>
        answer(input, (target) => {
          const v3 = input.items.find((item) => item.targets.includes(target))?.artifact.tag === 'v3';
          if (!v3 || v3Failed) return copied(target.taskId);
          v3Failed = true;
          return failed(target.taskId, true);
        }),
    });
    const { summary, tasks } = await withWorker(activities, async () => {
      const handle = await start({ policy: twoSites, trigger: 'manual' });
      const summary = await handle.result();
      const { tasks } = await handle.query(pageTasksQuery, { offset: 0, limit: 240 });
      return { summary, tasks };
    });
    assert.equal(summary.status, 'Succeed');
    assert.equal(summary.counts.succeed, 240);
    // Two batches, then the retry of v3.
    const calls = callsOf<CopyBatchInput>('copyBatch');
    assert.equal(calls.length, 3);
    // The odd tags but v1 (kept at site 3), to site 3 only, each with the digest the check saw and
    // known stale there; the retry of v3 asks the site again.
    const items = calls.slice(0, 2).flatMap((input) => input.items);
    assert.equal(items.length, 59);
    assert.ok(items.every((item) => item.targets.length === 1 && item.targets[0]!.registryId === 3));
    assert.ok(items.every((item) => item.sourceDigest === digest && item.targets[0]!.stale === true));
    assert.ok(!items.some((item) => item.artifact.tag === 'v1'));
    assert.deepEqual(
      calls[2]!.items.map((item) => [item.artifact.tag, item.targets[0]!.stale]),
      [['v3', undefined]],
    );
    const outcomes = tasks.reduce<Record<string, number>>(
      (counts, task) => ({ ...counts, [task.outcome!]: (counts[task.outcome!] ?? 0) + 1 }),
      {},
    );
    assert.deepEqual(outcomes, { skipped: 180, kept: 1, copied: 59 });
    const kept = tasks.find((task) => task.outcome === 'kept')!;
    assert.equal(kept.digest, `sha256:${'e'.repeat(64)}`);
    assert.equal(kept.attempts, 1);
  });

  it('checks – a run of one page has it checked as it is listed: no check activity of its own', async () => {
    const artifacts: Artifact[] = Array.from({ length: 4 }, (_, index) => ({
      repository: 'production/api',
      tag: `v${index}`,
    }));
    const digest = `sha256:${'d'.repeat(64)}`;
    const { activities, callsOf } = scriptedActivities({
      // The listing's check, tasks by their place in the page (artifact × 2 sites + site): every
      // task in place but v2 at site 3 (place 5), which is stale, and v3 at site 2 (place 6), kept.
      enumerateArtifacts: async ({ checkIfLast }) => ({
        artifacts,
        ...(checkIfLast
          ? {
              inPlace: {
                found: [
                  ...[0, 1, 2, 3, 4, 7].map((taskId) => ({ taskId, outcome: 'skipped' as const, digest })),
                  { taskId: 6, outcome: 'kept' as const, digest: `sha256:${'e'.repeat(64)}` },
                ],
                digests: [digest],
                sourceDigestOf: [-1, -1, 0, -1],
                stale: [5],
              },
            }
          : {}),
      }),
      copyBatch: async (input) => answer(input, (target) => copied(target.taskId)),
    });
    const { summary, tasks } = await withWorker(activities, async () => {
      const handle = await start({ policy: twoSites, trigger: 'manual' });
      const summary = await handle.result();
      const { tasks } = await handle.query(pageTasksQuery, { offset: 0, limit: 8 });
      return { summary, tasks };
    });
    assert.equal(summary.status, 'Succeed');
    assert.deepEqual(
      callsOf<EnumerateArtifactsInput>('enumerateArtifacts').map((input) => input.checkIfLast),
      [{ dryRun: false }],
    );
    assert.equal(callsOf('checkInPlace').length, 0);
    // Only v2 to site 3 is copied, by the digest the listing's check saw, known stale there.
    const items = callsOf<CopyBatchInput>('copyBatch').flatMap((input) => input.items);
    assert.deepEqual(
      items.map((item) => [
        item.artifact.tag,
        item.targets.map((target) => [target.registryId, target.stale]),
        item.sourceDigest,
      ]),
      [['v2', [[3, true]], digest]],
    );
    assert.ok(callsOf<CopyBatchInput>('copyBatch').every((input) => !input.checkUpToDate));
    assert.deepEqual(
      tasks.map((task) => [task.id, task.outcome]),
      [
        [1, 'skipped'],
        [2, 'skipped'],
        [3, 'skipped'],
        [4, 'skipped'],
        [5, 'skipped'],
        [6, 'copied'],
        [7, 'kept'],
        [8, 'skipped'],
      ],
    );
  });

  it('checks – a tree, or a platform subset, is not checked as it is listed', async () => {
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts: [{ repository: 'production/api', tag: 'v1' }] }),
    });
    await withWorker(activities, async () => {
      await (await start({ policy: hubsAndSites, trigger: 'manual' })).result();
      await (
        await start({
          policy: { ...twoSites, platforms: [{ os: 'linux', architecture: 'amd64' }] },
          trigger: 'manual',
        })
      ).result();
    });
    assert.deepEqual(
      callsOf<EnumerateArtifactsInput>('enumerateArtifacts').map((input) => input.checkIfLast),
      [undefined, undefined],
    );
  });

  it('checks – a page whose check cannot be made leaves it to its batches', async () => {
    const artifacts: Artifact[] = Array.from({ length: 60 }, (_, index) => ({
      repository: 'production/api',
      tag: `v${index}`,
    }));
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts }),
      checkInPlace: async () => {
        throw ApplicationFailure.nonRetryable('the source is unknown', 'REGISTRY_NAME_UNKNOWN');
      },
    });
    const summary = await withWorker(activities, async () =>
      (await start({ policy: twoSites, trigger: 'manual' })).result(),
    );
    assert.equal(summary.status, 'Succeed');
    assert.deepEqual(
      callsOf<CopyBatchInput>('copyBatch')
        .map((input) => [input.items.length, input.checkUpToDate])
        .sort(),
      [
        [10, true],
        [50, true],
      ],
    );
  });

  it('stops – mid-page: finished batches stay Succeed, the rest is Stopped', async () => {
    const artifacts: Artifact[] = Array.from({ length: 120 }, (_, index) => ({
      repository: 'production/api',
      tag: `v${index}`,
    }));
    const { activities } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts }),
      copyBatch: async (input) => {
        if (input.items[0]!.artifact.tag === 'v0') return answer(input, (target) => copied(target.taskId));
        // A long batch: it heartbeats until the stop reaches it.
        const context = Context.current();
        for (;;) {
          context.heartbeat();
          if (context.cancellationSignal.aborted) throw new CancelledFailure('stopped');
          await context.sleep(100).catch(() => undefined);
        }
      },
    });
    await withWorker(activities, async () => {
      const handle = await start({ policy: twoSites, trigger: 'manual' });
      await eventually(
        async () => ((await handle.query(runStatusQuery)).tally.statuses.Succeed ?? 0) >= 100,
        20_000,
        'the first batch to be copied',
      );
      await handle.cancel();
      const ended = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(
        ended instanceof WorkflowFailedError && ended.cause instanceof CancelledFailure,
        String(ended),
      );
      const status = await handle.query(runStatusQuery);
      assert.equal(status.summary.status, 'Stopped');
      assert.deepEqual(status.summary.counts, {
        total: 240,
        failed: 0,
        succeed: 100,
        in_progress: 0,
        stopped: 140,
      });
      const tasks = await handle.query(pageTasksQuery, { limit: 5000 });
      assert.deepEqual(
        tasks.tasks.map((task) => task.status),
        artifacts.flatMap((_, index) => (index < 50 ? ['Succeed', 'Succeed'] : ['Stopped', 'Stopped'])),
      );
    });
  });

  it('replay – a run queried as it starts, its workflow task ended with openRun: the next task holds its patches, and the history replays', async () => {
    // A query that comes with a run's first workflow task is answered with that task, and the
    // local activity that answered meanwhile ends it (Temporal forces a new task for what follows):
    // on replay, openRun answers before the next task's patch markers are known.
    const { activities } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts: [{ repository: 'production/api', tag: 'v1' }] }),
    });
    const split: string[] = [];
    await withWorker(activities, async () => {
      // The task ends with openRun only when it answers just before the query: a few runs at once.
      for (let round = 1; round <= 8 && split.length === 0; round++) {
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            const handle = await start({ policy: twoSites, trigger: 'manual' });
            // Unanswered until the run has set its handlers; asked only so it rides the first task.
            await handle.query(runStatusQuery).catch(() => undefined);
            assert.equal((await handle.result()).status, 'Succeed');
            const history = await handle.fetchHistory();
            if (openRunEndsItsTask(history)) split.push(handle.workflowId);
            await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
          }),
        );
      }
    });
    assert.ok(split.length > 0, 'a run whose openRun marker ends its first workflow task');
  });

  it('pages – 1,200 artifacts in pages of 500, the cursor carried from each to the next', async () => {
    const all: Artifact[] = Array.from({ length: 1200 }, (_, index) => ({
      repository: `production/app-${Math.floor(index / 400)}`,
      tag: `t${String(index % 400).padStart(4, '0')}`,
    }));
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async ({ cursor, pageSize }) => {
        const from = cursor
          ? all.findIndex((a) => a.repository === cursor.repository && a.tag === cursor.tag) + 1
          : 0;
        const artifacts = all.slice(from, from + pageSize);
        const last = artifacts.at(-1);
        return from + pageSize < all.length && last
          ? { artifacts, next: { repository: last.repository, tag: last.tag! } }
          : { artifacts };
      },
      // Every tag is in place already: pages are planned and checked, nothing is copied.
      copyBatch: async (input) =>
        answer(input, (target) => ({
          taskId: target.taskId,
          ok: true,
          outcome: 'skipped',
          digest: 'sha256:x',
          bytes: 0,
        })),
    });
    const policy = snapshotOf(2, { name: 'one-site', src_registry: { id: 1 }, dest_registry: { id: 2 } });
    const { summary, status, lastTask } = await withWorker(activities, async () => {
      const handle = await start({ policy, trigger: 'manual' });
      const summary: ExecutionSummary = await handle.result();
      const status = await handle.query(runStatusQuery);
      const lastPage = status.pages!.at(-1)!;
      const lastTask = (
        await suite.client.workflow.getHandle(lastPage.workflowId).query(pageTasksQuery, { offset: 199 })
      ).tasks[0];
      return { summary, status, lastTask };
    });
    assert.equal(summary.status, 'Succeed');
    assert.equal(summary.counts.total, 1200);
    assert.deepEqual(
      status.pages!.map((page) => [page.firstTaskId, page.taskCount]),
      [
        [1, 500],
        [501, 500],
        [1001, 200],
      ],
    );
    assert.deepEqual(
      callsOf<EnumerateArtifactsInput>('enumerateArtifacts').map((input) => input.cursor ?? null),
      [
        null,
        { repository: 'production/app-1', tag: 't0099' },
        { repository: 'production/app-2', tag: 't0199' },
      ],
    );
    assert.equal(callsOf('replicateArtifact').length, 0);
    assert.equal(lastTask?.id, 1200);
    assert.equal(lastTask?.srcResource, 'production/app-2:t0399');
    assert.equal(lastTask?.outcome, 'skipped');
  });

  it('pages – the next page is listed while the pages in flight copy', async () => {
    const all: Artifact[] = Array.from({ length: 1200 }, (_, index) => ({
      repository: 'production/app',
      tag: `t${String(index).padStart(4, '0')}`,
    }));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async ({ cursor, pageSize }) => {
        const from = cursor ? all.findIndex((a) => a.tag === cursor.tag) + 1 : 0;
        const artifacts = all.slice(from, from + pageSize);
        return from + pageSize < all.length
          ? { artifacts, next: { repository: 'production/app', tag: artifacts.at(-1)!.tag! } }
          : { artifacts };
      },
      copyBatch: async (input) => {
        await released;
        return answer(input, (target) => copied(target.taskId));
      },
    });
    const policy = snapshotOf(2, { name: 'one-site', src_registry: { id: 1 }, dest_registry: { id: 2 } });
    const summary = await withWorker(activities, async () => {
      const handle = await start({ policy, trigger: 'manual' });
      // Two pages copy (held), and the third is listed meanwhile, not once one of them ends.
      try {
        await eventually(
          async () => callsOf('enumerateArtifacts').length === 3,
          20_000,
          'the third page listed while two copy',
        );
      } finally {
        release();
      }
      return handle.result();
    });
    assert.equal(summary.counts.succeed, 1200);
  });

  it('single active – a run told another is in progress is recorded, copies nothing and ends Stopped', async () => {
    const { activities, callsOf } = scriptedActivities({});
    const summary = await withWorker(activities, async () =>
      (
        await start({
          policy: twoSites,
          trigger: 'scheduled',
          skipReason: 'another execution of this policy is in progress (single_active_replication)',
        })
      ).result(),
    );
    assert.equal(summary.status, 'Stopped');
    assert.match(summary.statusText, /^skipped: another execution/);
    assert.equal(callsOf('openRun').length, 1);
    assert.equal(callsOf('enumerateArtifacts').length, 0);
  });

  it('bookends – a run opens with one local activity and closes with one, its page kept as it closes; deliveries prepared only when wanted', async () => {
    const mirror = mirrorOf(0.5);
    const cases = [
      { name: 'nobody listens', policy: twoSites, notify: false, ownPageAtOnce: false },
      { name: 'a policy listens', policy: twoSites, notify: true, ownPageAtOnce: false },
      // A mirror prunes after its page, however long: its page is kept at once, as before.
      { name: 'a mirror', policy: mirror, notify: false, ownPageAtOnce: true },
    ];
    for (const { name, policy, notify, ownPageAtOnce } of cases) {
      const { activities, callsOf } = scriptedActivities({
        enumerateArtifacts: async () => ({ artifacts: [{ repository: 'production/api', tag: 'v1' }] }),
        closeRun: async () => ({ notify }),
      });
      const summary = await withWorker(activities, async () =>
        (await start({ policy, trigger: 'manual' })).result(),
      );
      assert.equal(summary.status, 'Succeed', name);
      const tasks = policy.destinations.length;
      assert.equal(callsOf('openRun').length, 1, name);
      for (const before of ['runSettings', 'recordExecution', 'recordRunResult'] as const)
        assert.equal(callsOf(before).length, 0, `${name}: ${before}`);
      const [closed] = callsOf<{
        summary: ExecutionSummary;
        event?: string;
        pages: Array<{ tasks: unknown[] }>;
      }>('closeRun');
      assert.equal(closed!.summary.status, 'Succeed', name);
      assert.equal(closed!.event, 'run_succeeded', name);
      const keptAtOnce = callsOf<{ tasks: unknown[] }>('recordPageTasks');
      assert.deepEqual(
        [keptAtOnce.map((page) => page.tasks.length), closed!.pages.map((page) => page.tasks.length)],
        ownPageAtOnce ? [[tasks], []] : [[], [tasks]],
        name,
      );
      const prepared = callsOf<{ events: Array<{ type: string }> }>('prepareNotifications');
      assert.deepEqual(
        prepared.map((input) => input.events.map((event) => event.type)),
        notify ? [['run_succeeded']] : [],
        name,
      );
    }
  });

  it('bookends – a run whose tasks are all done is in progress until its result is kept', async () => {
    let closing = false;
    let release!: () => void;
    const kept = new Promise<void>((resolve) => (release = resolve));
    const { activities } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts: [{ repository: 'production/api', tag: 'v1' }] }),
      closeRun: async () => {
        closing = true;
        await kept;
        return { notify: false };
      },
    });
    await withWorker(activities, async () => {
      const handle = await start({ policy: twoSites, trigger: 'manual' });
      let during;
      // Released whatever happens: a held activity would keep the worker from stopping.
      try {
        await eventually(async () => closing, 20_000, 'the run to close');
        // Answered once the workflow task that waits on the store heartbeats (some 8 s).
        during = await handle.query(runStatusQuery);
      } finally {
        release();
      }
      assert.equal(during.tally.statuses.Succeed, 2);
      assert.equal(during.summary.status, 'InProgress');
      assert.equal((await handle.result()).status, 'Succeed');
      assert.equal((await handle.query(runStatusQuery)).summary.status, 'Succeed');
    });
  });

  it('mirror – a prune the guardrails refuse deletes nothing and fails the run with the reason', async () => {
    const mirror = mirrorOf(0.2);
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts: [{ repository: 'production/api', tag: 'v1' }] }),
      planPrunePages: async () => ({
        planId: 'refused',
        pages: 0,
        deletions: 0,
        inScope: 10,
        refusal: 'would delete 5 of 10 tags in scope (50%), more than max_delete_ratio 0.2',
      }),
    });
    const summary = await withWorker(activities, async () =>
      runOutcome(await start({ policy: mirror, trigger: 'manual' })),
    );
    assert.equal(summary.status, 'Failed');
    assert.match(summary.statusText, /^prune refused: dc-2: would delete 5 of 10/);
    assert.equal(callsOf('planPrunePages').length, 1);
    assert.ok(
      callsOf<CopyBatchInput>('copyBatch').every((input) => input.operation === 'copy'),
      'nothing deleted',
    );
  });

  it('mirror – a prune plan of 1,200 deletions goes as 3 pages that read their own deletions, none in the run history', async () => {
    const mirror = mirrorOf(0.5);
    const gone = (page: number, count: number): Artifact[] =>
      Array.from({ length: count }, (_, index) => ({
        repository: 'production/api',
        tag: `gone-${page}-${index}`,
        digest: `sha256:${String(page).repeat(64)}`,
      }));
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => ({ artifacts: [{ repository: 'production/api', tag: 'v1' }] }),
      planPrunePages: async () => ({ planId: 'plan-a', pages: 3, deletions: 1200, inScope: 3000 }),
      readPrunePage: async ({ page }) => ({ artifacts: gone(page, page === 3 ? 200 : 500) }),
    });
    const handle = await withWorker(activities, async () => {
      const started = await start({ policy: mirror, trigger: 'manual' });
      await runOutcome(started);
      return started;
    });
    const summary = await runOutcome(handle);
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.equal(summary.counts.total, 1 + 1200);
    assert.deepEqual(
      callsOf<{ planId: string; page: number }>('readPrunePage')
        .map(({ planId, page }) => `${planId}#${page}`)
        .sort(),
      ['plan-a#1', 'plan-a#2', 'plan-a#3'],
    );
    const deleted = callsOf<CopyBatchInput>('copyBatch')
      .filter((input) => input.operation === 'delete')
      .flatMap((input) => input.items.map((item) => item.artifact.tag));
    assert.equal(new Set(deleted).size, 1200);
    // The deletions are in the pages' histories only: the run's holds their plan's id and counts.
    const encoded = async (workflowId: string) =>
      Buffer.from(
        protos.temporal.api.history.v1.History.encode(
          await suite.client.workflow.getHandle(workflowId).fetchHistory(),
        ).finish(),
      );
    const run = await encoded(handle.workflowId);
    assert.ok(!run.includes('gone-'), 'no deletion in the run history');
    assert.ok(run.length < 64 * 1024, `the run's history is ${run.length} bytes`);
    for (const page of [2, 3, 4]) {
      const history = await encoded(`${handle.workflowId}/page-${page}`);
      assert.ok(history.includes(`gone-${page - 1}-199`), `page ${page} read its own deletions`);
    }
  });

  const pushed: Artifact = { repository: 'production/api', tag: 'v1', digest: `sha256:${'b'.repeat(64)}` };
  /** Each copy activity as `source → destinations`, in the order they ran. */
  const links = (calls: CopyBatchInput[]) =>
    calls.map(
      (input) =>
        `${input.sourceRegistryId} → ${input.items.flatMap((item) => item.targets.map((target) => target.registryId)).join(',')}`,
    );
  const tasksOf = async (workflowId: string) =>
    (await suite.client.workflow.getHandle(workflowId).query(pageTasksQuery, {})).tasks;

  it('tree – one run copies each link once: the source to the hubs, then each hub to its sites', async () => {
    const { activities, callsOf } = scriptedActivities({
      copyBatch: async (input) => answer(input, (target) => copied(target.taskId)),
    });
    const { summary, tasks } = await withWorker(activities, async () => {
      const handle = await start({ policy: hubsAndSites, trigger: 'event_based', artifacts: [pushed] });
      return { summary: await handle.result(), tasks: await tasksOf(handle.workflowId) };
    });
    assert.equal(summary.status, 'Succeed');
    assert.deepEqual(summary.counts, { total: 6, failed: 0, succeed: 6, in_progress: 0, stopped: 0 });
    const calls = callsOf<CopyBatchInput>('copyBatch');
    assert.deepEqual(links(calls).slice(0, 1), ['1 → 2,3']);
    assert.deepEqual(links(calls).slice(1).sort(), ['2 → 4,5', '3 → 6,7']);
    // A hub is read as it holds the artifact: the same repository, tag and digest.
    assert.deepEqual(calls[1]!.items[0]!.artifact, pushed);
    assert.deepEqual(
      tasks.map((task) => [task.srcResource, task.dstResource]),
      [
        ['production/api:v1', 'dc-2/production/api:v1'],
        ['production/api:v1', 'dc-3/production/api:v1'],
        ['dc-2/production/api:v1', 'dc-4/production/api:v1'],
        ['dc-2/production/api:v1', 'dc-5/production/api:v1'],
        ['dc-3/production/api:v1', 'dc-6/production/api:v1'],
        ['dc-3/production/api:v1', 'dc-7/production/api:v1'],
      ],
    );
  });

  it('tree – a failed hub: its sites fail saying why (fail), or come from its parent (from_parent)', async () => {
    const { activities, callsOf } = scriptedActivities({
      copyBatch: async (input) =>
        answer(input, (target) =>
          target.registryId === 2 || target.registryId === 3
            ? failed(target.taskId, false)
            : copied(target.taskId),
        ),
    });
    const { summary, tasks } = await withWorker(activities, async () => {
      const handle = await start({ policy: hubsAndSites, trigger: 'event_based', artifacts: [pushed] });
      return { summary: await runOutcome(handle), tasks: await tasksOf(handle.workflowId) };
    });
    assert.equal(summary.status, 'Failed');
    assert.deepEqual(summary.counts, { total: 6, failed: 4, succeed: 2, in_progress: 0, stopped: 0 });
    assert.deepEqual(links(callsOf<CopyBatchInput>('copyBatch')), ['1 → 2,3', '1 → 6,7']);
    const byDestination = new Map(tasks.map((task) => [task.destinationRegistryId, task]));
    for (const site of [4, 5]) {
      assert.equal(byDestination.get(site)!.status, 'Failed');
      assert.equal(byDestination.get(site)!.error?.code, 'HUB_FAILED');
      assert.match(
        byDestination.get(site)!.error!.message,
        /^dc-2 did not get production\/api:v1 \(REGISTRY_UNAUTHORIZED: refused \(permanent: not retried\)\)/,
      );
    }
    for (const site of [6, 7]) {
      assert.equal(byDestination.get(site)!.status, 'Succeed');
      assert.equal(byDestination.get(site)!.srcResource, 'production/api:v1');
    }
  });

  it('rate limit – waited out with a timer, the status saying until when, then the run goes on', async () => {
    const rateLimited = (resumeAt: string) =>
      ApplicationFailure.create({
        type: 'REGISTRY_RATE_LIMITED',
        message: 'hub.example: rate limited',
        details: [{ resumeAt }],
      });
    const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    let listings = 0;
    let batches = 0;
    let waitUntil = '';
    const { activities, callsOf } = scriptedActivities({
      enumerateArtifacts: async () => {
        // Each rate limit comes back to the run at once, which waits it out (a second at least).
        if (++listings <= 3) throw rateLimited(inSeconds(0));
        return { artifacts: [{ repository: 'production/api', tag: 'v1' }] };
      },
      copyBatch: async (input) => {
        if (++batches > 1) return answer(input, (target) => copied(target.taskId));
        waitUntil = inSeconds(2);
        return answer(input, (target) => rateLimitedTask(target.taskId, waitUntil));
      },
    });
    const { summary, listing, copying } = await withWorker(activities, async () => {
      const handle = await start({ policy: twoSites, trigger: 'manual' });
      const waitingFor = (what: string) =>
        eventually(
          async () => {
            const { statusText } = (await handle.query(runStatusQuery)).summary;
            return statusText.includes(what) && statusText;
          },
          20_000,
          `the run waiting for ${what}`,
        );
      const listing = await waitingFor('(hub.example: rate limited)');
      const copying = await waitingFor('(dc-3: rate limited)');
      return { summary: await handle.result(), listing, copying };
    });
    assert.equal(summary.status, 'Succeed');
    assert.match(
      listing,
      /^enumerating artifacts; rate limited, waiting until \d{4}-\d\d-\d\dT[\d:.]+Z \(hub/,
    );
    assert.equal(
      copying,
      `0/2 succeeded, 2 in progress; rate limited, waiting until ${waitUntil} (dc-3: rate limited)`,
    );
    assert.equal(callsOf('enumerateArtifacts').length, 4);
    assert.equal(callsOf('copyBatch').length, 2);
  });

  it('rate limit – a page in a child workflow tells its run, whose status says until when', async () => {
    // Two pages (501 artifacts): each is a child workflow; the first batch of the first is rate limited.
    const all: Artifact[] = Array.from({ length: 501 }, (_, index) => ({
      repository: 'production/api',
      tag: `v${String(index).padStart(3, '0')}`,
    }));
    let waitUntil = '';
    const { activities } = scriptedActivities({
      enumerateArtifacts: async ({ cursor }) =>
        cursor
          ? { artifacts: all.slice(500) }
          : { artifacts: all.slice(0, 500), next: { repository: 'production/api', tag: 'v499' } },
      copyBatch: async (input) => {
        if (waitUntil) return answer(input, (target) => copied(target.taskId));
        waitUntil = new Date(Date.now() + 3_000).toISOString();
        return answer(input, (target) => rateLimitedTask(target.taskId, waitUntil));
      },
    });
    const { summary, waiting } = await withWorker(activities, async () => {
      const handle = await start({ policy: twoSites, trigger: 'manual' });
      const waiting = await eventually(
        async () => {
          const { statusText } = (await handle.query(runStatusQuery)).summary;
          return statusText.includes('rate limited') && statusText;
        },
        20_000,
        'the run saying its page waits',
      );
      return { summary: await handle.result(), waiting };
    });
    assert.equal(summary.status, 'Succeed');
    assert.equal(summary.counts.total, 1002);
    assert.match(waiting, new RegExp(`; rate limited, waiting until ${waitUntil} \\(dc-3: rate limited\\)$`));
  });
});
