// The service's one reader of executions, on a real store (SQLite in a temporary folder) and a
// fake Temporal client: an end a run could not record is recorded as it is first read, and that
// first read already says what every later one does; the pass that records such ends nobody read
// reads only those the sweep would reach.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pino } from 'pino';
import { noTaskCounts } from '../../contract/index.js';
import { executionFacts } from '../../service/execution-facts.js';
import { recordUnreadEnds } from '../../service/unread-ends.js';
import { openStore, type Store } from '../../store/index.js';

const startTime = new Date('2026-12-02T10:00:00.000Z');
const closeTime = new Date('2026-12-02T11:00:00.000Z');

/** Temporal as it describes each workflow id: running, terminated, or forgotten (not found). */
/** What a completed run answers as its result: its summary, as the run workflow returns it. */
const completedSummary = {
  status: 'Succeed' as const,
  statusText: 'done before results were stored',
  counts: { ...noTaskCounts, total: 2, succeed: 2 },
  bytes: 42,
};

function fakeTemporal(
  states: Record<string, 'RUNNING' | 'COMPLETED' | 'TERMINATED' | 'FORGOTTEN' | 'UNREACHABLE'>,
) {
  let results = 0;
  const client = {
    withAbortSignal: <T>(_signal: AbortSignal, work: () => Promise<T>) => work(),
    workflow: {
      getHandle: (workflowId: string) => ({
        async describe() {
          const state = states[workflowId];
          if (state === 'FORGOTTEN') throw new WorkflowNotFoundError('not found', workflowId, undefined);
          if (state === 'UNREACHABLE')
            throw Object.assign(new Error('deadline exceeded'), { code: 'DEADLINE' });
          return {
            status: { name: state },
            startTime,
            ...(state === 'TERMINATED' || state === 'COMPLETED' ? { closeTime } : {}),
            memo: {},
          };
        },
        async result() {
          results++;
          return completedSummary;
        },
        // No worker answers the status query.
        async query() {
          throw new Error('no worker');
        },
      }),
    },
  };
  return Object.assign(client as unknown as Client, { results: () => results });
}

describe('executionFacts – executions as Temporal and the store say, unrecorded ends recorded', () => {
  let dataDir: string;
  let store: Store;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-facts-'));
    store = await openStore({ dataDir, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cases: Array<[string, 'RUNNING' | 'TERMINATED' | 'FORGOTTEN', RegExp | undefined]> = [
    ['running: nothing recorded, no end', 'RUNNING', undefined],
    ['terminated: recorded Failed, ended when Temporal says', 'TERMINATED', /^terminated in Temporal/],
    ['forgotten: recorded Failed, ended when first read', 'FORGOTTEN', /^Temporal no longer holds this run/],
  ];
  cases.forEach(([name, state, statusText], index) =>
    it(name, async () => {
      const record = await store.executions.create({
        policyId: 1,
        workflowId: `facts/manual/${index}`,
        trigger: 'manual',
      });
      const client = fakeTemporal({ [record.workflowId]: state });
      const before = Date.now();
      const [first] = await executionFacts(store, client, [record]);
      const kept = (await store.executions.get(record.id)).result;
      if (!statusText) {
        assert.equal(kept, undefined);
        assert.equal(first?.status, 'InProgress');
        assert.equal(first?.closeTime, undefined);
        return;
      }
      assert.match(kept?.summary.statusText ?? '', statusText);
      assert.equal(first?.status, 'Failed');
      assert.equal(first?.closeTime?.toISOString(), kept?.closedAt, 'the first read says when it ended');
      if (state === 'TERMINATED') assert.equal(kept?.closedAt, closeTime.toISOString());
      else assert.ok(Date.parse(kept?.closedAt ?? '') >= before);
      // A later read, of the record as the store now keeps it, says the same.
      const [later] = await executionFacts(store, client, [await store.executions.get(record.id)]);
      assert.deepEqual(later, first);
    }),
  );

  it('recordUnreadEnds – reads the executions past the kept closed ones: records those that ended, leaves the running', async () => {
    const summary = {
      status: 'Succeed' as const,
      statusText: 'done',
      counts: { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 },
      bytes: 0,
    };
    const states = {
      'pass/1': 'TERMINATED',
      'pass/2': 'FORGOTTEN',
      'pass/3': 'RUNNING',
      // Closed, and kept: the horizon.
      'pass/4': 'TERMINATED',
      // Younger than the kept one: the sweep would keep it, so it is left for a later pass or read.
      'pass/5': 'TERMINATED',
    } as const;
    for (const workflowId of Object.keys(states))
      await store.executions.create({ policyId: 2, workflowId, trigger: 'manual' });
    await store.executions.recordResult('pass/4', summary, closeTime.toISOString());
    await recordUnreadEnds(store, fakeTemporal(states), pino({ level: 'silent' }), 2, 1);
    const recorded = await Promise.all(
      Object.keys(states).map(
        async (workflowId) => (await store.executions.getByWorkflowId(workflowId))?.result?.summary.status,
      ),
    );
    assert.deepEqual(recorded, ['Failed', 'Failed', undefined, 'Succeed', undefined]);
  });

  it('recordUnreadEnds – an execution Temporal cannot describe now is logged and left; the others are recorded, and the pass ends', async () => {
    const states = { 'broken/1': 'UNREACHABLE', 'broken/2': 'TERMINATED', 'broken/3': 'TERMINATED' } as const;
    for (const workflowId of Object.keys(states))
      await store.executions.create({ policyId: 3, workflowId, trigger: 'manual' });
    const succeeded = { status: 'Succeed' as const, statusText: 'done', counts: noTaskCounts, bytes: 0 };
    await store.executions.recordResult('broken/3', succeeded, closeTime.toISOString());
    const warnings: unknown[] = [];
    await recordUnreadEnds(
      store,
      fakeTemporal(states),
      { warn: (fields: unknown) => warnings.push(fields) } as never,
      3,
      1,
    );
    assert.equal((await store.executions.getByWorkflowId('broken/1'))?.result, undefined);
    assert.equal((await store.executions.getByWorkflowId('broken/2'))?.result?.summary.status, 'Failed');
    assert.equal(warnings.length, 1);
    assert.deepEqual(
      { ...(warnings[0] as Record<string, unknown>), err: undefined },
      { err: undefined, code: 'DEADLINE', policyId: 3, workflowId: 'broken/1' },
    );
  });

  it('a run that completed before the store kept results: its result is kept as first read, and read from the store after', async () => {
    const record = await store.executions.create({
      policyId: 4,
      workflowId: 'facts/completed',
      trigger: 'manual',
    });
    const client = fakeTemporal({ [record.workflowId]: 'COMPLETED' });
    const [first] = await executionFacts(store, client, [record]);
    assert.equal(first?.status, 'Succeed');
    assert.equal(client.results(), 1);
    const kept = (await store.executions.get(record.id)).result;
    assert.deepEqual(kept, { summary: completedSummary, closedAt: closeTime.toISOString() });
    const [later] = await executionFacts(store, client, [await store.executions.get(record.id)]);
    assert.equal(client.results(), 1, 'the result is not asked of Temporal again');
    assert.deepEqual(later, first);
  });
});
