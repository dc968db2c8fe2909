import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTasks } from '../../workflows/execution-summary.js';
import {
  addTallies,
  pendingTally,
  stopUnfinished,
  tallyTasks,
  tallyTotal,
} from '../../workflows/task-tally.js';

describe('task tallies', () => {
  const page = tallyTasks([
    { status: 'Succeed', bytes: 100, outcome: 'copied' },
    { status: 'Succeed', bytes: 0, outcome: 'skipped' },
    { status: 'Failed', bytes: 5 },
    { status: 'InProgress', bytes: 7 },
  ]);

  it('tallyTasks – statuses, outcomes and bytes', () => {
    assert.deepEqual(page, {
      statuses: { Pending: 0, InProgress: 1, Succeed: 2, Failed: 1, Stopped: 0 },
      outcomes: { copied: 1, skipped: 1 },
      bytes: 112,
    });
    assert.equal(tallyTotal(page), 4);
  });

  it('addTallies – pages add up to the run', () => {
    const run = addTallies([
      page,
      pendingTally(3),
      tallyTasks([{ status: 'Succeed', bytes: 1, outcome: 'copied' }]),
    ]);
    assert.deepEqual(countTasks(run), { total: 8, failed: 1, succeed: 3, in_progress: 4, stopped: 0 });
    assert.deepEqual(run.outcomes, { copied: 2, skipped: 1 });
    assert.equal(run.bytes, 113);
    assert.deepEqual(addTallies([]), tallyTasks([]));
  });

  it('stopUnfinished – pending and in-progress tasks become stopped, the rest stays', () => {
    const stopped = stopUnfinished(addTallies([page, pendingTally(2)]));
    assert.deepEqual(stopped.statuses, { Pending: 0, InProgress: 0, Succeed: 2, Failed: 1, Stopped: 3 });
  });
});
