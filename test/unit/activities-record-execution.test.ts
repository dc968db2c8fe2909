// A run's store writes on a real SQLite store: recordRunResult sweeps its policy's older closed
// executions to the count the worker keeps (all at 0); openRun and closeRun do in one local
// activity what a run did in several.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { closeRun, openRun, recordRunResult } from '../../activities/record-execution.js';
import type { ExecutionSummary, ReplicationTask } from '../../contract/index.js';
import { openStore, type Store } from '../../store/index.js';

const summary: ExecutionSummary = {
  status: 'Succeed',
  statusText: 'done',
  counts: { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 },
  bytes: 0,
};

describe('recordRunResult', () => {
  let dataDir: string;
  let store: Store;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-record-'));
    store = await openStore({ dataDir, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Runs `count` of a policy to their end, each recording its result with `kept`; the policy's runs left. */
  const runToEnd = async (policyId: number, count: number, kept: number) => {
    for (let index = 1; index <= count; index++) {
      const workflowId = `policy-${policyId}/manual/${index}`;
      await store.executions.create({ policyId, workflowId, trigger: 'manual' });
      await recordRunResult(store, { workflowId, summary }, kept);
    }
    return (await store.executions.list({ policyId })).items.map((item) => item.workflowId);
  };

  it('openRun gives the execution id (the one the API made, if it did) and the worker settings', async () => {
    const made = await store.executions.create({
      policyId: 40,
      workflowId: 'policy-40/manual/1',
      trigger: 'manual',
    });
    const settings = { retryBudgetMs: 123_000 };
    const input = { policyId: 40, workflowId: 'policy-40/manual/1', trigger: 'manual' as const };
    assert.deepEqual(await openRun(store, input, settings), { executionId: made.id, settings });
    assert.deepEqual(await openRun(store, input, settings), { executionId: made.id, settings }, 'retried');
  });

  const task: ReplicationTask = {
    id: 1,
    operation: 'copy',
    status: 'Succeed',
    srcResource: 'production/api:v1',
    dstResource: 'production/api:v1',
    destinationRegistryId: 2,
    destinationRepository: 'production/api',
    artifactIndex: 0,
    outcome: 'copied',
    bytes: 10,
    attempts: 1,
  };
  const closing: Array<[string, ('run_succeeded' | 'run_failed')[], 'run_succeeded' | undefined, boolean]> = [
    ['nobody listens', [], 'run_succeeded', false],
    ['a policy wants another event', ['run_failed'], 'run_succeeded', false],
    ['a policy wants the event', ['run_succeeded'], 'run_succeeded', true],
    ['the end tells no event (a dry run, a stop)', ['run_succeeded'], undefined, false],
  ];
  closing.forEach(([name, wanted, event, notify], index) =>
    it(`closeRun keeps the page and the result; ${name}: notify ${notify}`, async () => {
      const listener =
        wanted.length > 0
          ? await store.notificationPolicies.create({
              name: `listener-${index}`,
              event_types: wanted,
              targets: [{ address: 'http://receiver.example' }],
            })
          : undefined;
      const workflowId = `policy-50/manual/${index}`;
      await store.executions.create({ policyId: 50, workflowId, trigger: 'manual' });
      const input = {
        workflowId,
        summary,
        pages: [{ page: 1, firstTaskId: 1, tasks: [task] }],
        ...(event ? { event } : {}),
      };
      try {
        assert.deepEqual(await closeRun(store, input, 0), { notify });
        assert.deepEqual(await closeRun(store, input, 0), { notify }, 'retried');
        assert.deepEqual(await store.runPages.tasks(workflowId, 1), [task]);
        assert.equal(
          (await store.executions.getByWorkflowId(workflowId))?.result?.summary.statusText,
          'done',
        );
      } finally {
        if (listener) await store.notificationPolicies.delete(listener.id);
      }
    }),
  );

  it('recordRunResult has the ends its older runs could not record recorded before it sweeps, so they go too; not at 0', async () => {
    const calls: Array<[number, number]> = [];
    // As the service's pass does: what it finds past the kept ones ended (terminated in Temporal).
    const recordUnreadEnds = async (policyId: number, kept: number) => {
      calls.push([policyId, kept]);
      for (const record of await store.executions.unrecordedPastKept(policyId, kept, 20))
        await store.executions.recordResult(record.workflowId, summary, new Date().toISOString());
    };
    await store.executions.create({ policyId: 60, workflowId: 'policy-60/manual/1', trigger: 'manual' });
    await store.executions.create({ policyId: 60, workflowId: 'policy-60/manual/2', trigger: 'manual' });
    await recordRunResult(store, { workflowId: 'policy-60/manual/2', summary }, 0, recordUnreadEnds);
    assert.deepEqual(calls, [], 'nothing is swept, so nothing is looked for');
    await store.executions.create({ policyId: 60, workflowId: 'policy-60/manual/3', trigger: 'manual' });
    await recordRunResult(store, { workflowId: 'policy-60/manual/3', summary }, 1, recordUnreadEnds);
    assert.deepEqual(calls, [[60, 1]]);
    assert.deepEqual(
      (await store.executions.list({ policyId: 60 })).items.map((item) => item.workflowId),
      ['policy-60/manual/3'],
    );
  });

  const cases: Array<[string, number, number, number[]]> = [
    ['keeps the newest closed ones', 2, 4, [4, 3]],
    ['keeps all of fewer runs', 5, 3, [3, 2, 1]],
    ['keeps every run at 0', 0, 3, [3, 2, 1]],
  ];
  cases.forEach(([name, kept, runs, expected], index) =>
    it(`${name} (kept ${kept}, ${runs} runs)`, async () => {
      const policyId = index + 1;
      assert.deepEqual(
        await runToEnd(policyId, runs, kept),
        expected.map((run) => `policy-${policyId}/manual/${run}`),
      );
    }),
  );
});
