// recordRunResult on a real SQLite store: a run's end sweeps its policy's older closed executions
// to the count the worker keeps, and keeps them all at 0.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { recordRunResult } from '../../activities/record-execution.js';
import type { ExecutionSummary } from '../../contract/index.js';
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
