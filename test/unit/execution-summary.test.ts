import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTasks, summarizeExecution } from '../../workflows/execution-summary.js';
import { tallyTasks } from '../../workflows/task-tally.js';
import type { TaskStatus } from '../../contract/index.js';

const tasks = (...statuses: TaskStatus[]) => tallyTasks(statuses.map((status) => ({ status, bytes: 10 })));

describe('summarizeExecution', () => {
  const cases: Array<[string, TaskStatus[], boolean, boolean, string, string]> = [
    ['all succeeded', ['Succeed', 'Succeed'], true, false, 'Succeed', '2/2 succeeded'],
    ['one failed', ['Succeed', 'Failed'], true, false, 'Failed', '1/2 succeeded, 1 failed'],
    [
      'still running',
      ['Succeed', 'InProgress', 'Pending'],
      false,
      false,
      'InProgress',
      '1/3 succeeded, 2 in progress',
    ],
    [
      'stopped wins',
      ['Succeed', 'Failed', 'Stopped'],
      true,
      true,
      'Stopped',
      '1/3 succeeded, 1 failed, 1 stopped',
    ],
    ['nothing to do', [], true, false, 'Succeed', 'nothing to replicate'],
    ['enumerating', [], false, false, 'InProgress', 'enumerating artifacts'],
  ];
  for (const [name, statuses, finished, stopped, status, text] of cases) {
    it(`status – ${name}`, () => {
      const summary = summarizeExecution(tasks(...statuses), finished, { stopped });
      assert.equal(summary.status, status);
      assert.equal(summary.statusText, text);
      assert.equal(summary.bytes, statuses.length * 10);
    });
  }

  it('skip and refusal – a skipped run is Stopped, a refused prune fails the run with its reason', () => {
    const skipped = summarizeExecution(tallyTasks([]), true, {
      skipReason: 'another execution is in progress',
    });
    assert.deepEqual(
      [skipped.status, skipped.statusText],
      ['Stopped', 'skipped: another execution is in progress'],
    );
    const refused = summarizeExecution(tasks('Succeed'), true, { refusal: 'dr: would delete 3 of 5' });
    assert.deepEqual(
      [refused.status, refused.statusText],
      ['Failed', 'prune refused: dr: would delete 3 of 5; 1/1 succeeded'],
    );
    assert.equal(summarizeExecution(tasks('InProgress'), false, { refusal: 'x' }).status, 'InProgress');
  });

  it('dry run – the text says what a real run would do; bytes are the bytes it would send', () => {
    const plan = summarizeExecution(
      tallyTasks([
        { status: 'Succeed', bytes: 300, outcome: 'would_copy' },
        { status: 'Succeed', bytes: 200, outcome: 'would_copy' },
        { status: 'Succeed', bytes: 0, outcome: 'skipped' },
        { status: 'Succeed', bytes: 0, outcome: 'kept' },
        { status: 'Succeed', bytes: 0, outcome: 'would_delete' },
      ]),
      true,
      { dryRun: true },
    );
    assert.deepEqual(plan, {
      status: 'Succeed',
      statusText: 'dry run: 2 to copy (500 bytes), 2 in place, 1 to delete; 5/5 succeeded',
      counts: { total: 5, failed: 0, succeed: 5, in_progress: 0, stopped: 0 },
      bytes: 500,
      dryRun: true,
    });
    assert.equal(
      summarizeExecution(tallyTasks([]), false, { dryRun: true }).statusText,
      'enumerating artifacts',
    );
  });

  it('counts – pending counts as in progress, as Harbor shows it', () => {
    assert.deepEqual(countTasks(tasks('Pending', 'InProgress', 'Succeed', 'Failed', 'Stopped')), {
      total: 5,
      failed: 1,
      succeed: 1,
      in_progress: 2,
      stopped: 1,
    });
  });
});
