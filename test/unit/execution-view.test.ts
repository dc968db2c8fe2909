import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHarborExecution, toHarborTask } from '../../api/execution-view.js';
import { taskLog } from '../../service/index.js';
import { executionStatus, type WorkflowStatusName } from '../../service/index.js';
import { summarizeExecution } from '../../workflows/execution-summary.js';
import { tallyTasks } from '../../workflows/task-tally.js';
import type { ReplicationTask } from '../../contract/index.js';

const task: ReplicationTask = {
  id: 4,
  operation: 'copy',
  status: 'Failed',
  srcResource: 'production/api:v1',
  dstResource: 'dc-a/production/api:v1',
  destinationRegistryId: 2,
  destinationRepository: 'production/api',
  artifactIndex: 0,
  outcome: 'failed',
  bytes: 0,
  attempts: 8,
  startTime: '2026-11-28T13:00:00.000Z',
  endTime: '2026-11-28T13:02:00.000Z',
  error: { code: 'REGISTRY_UNAVAILABLE', message: 'connect ECONNREFUSED 127.0.0.1:5000' },
};

describe('execution view', () => {
  const succeeded = summarizeExecution(tallyTasks([{ status: 'Succeed', bytes: 1 }]), true);
  const failed = summarizeExecution(tallyTasks([{ status: 'Failed', bytes: 0 }]), true);
  const cases: Array<[WorkflowStatusName, typeof succeeded | undefined, string]> = [
    ['RUNNING', undefined, 'InProgress'],
    ['COMPLETED', succeeded, 'Succeed'],
    ['COMPLETED', failed, 'Failed'],
    ['CANCELLED', succeeded, 'Stopped'],
    ['TERMINATED', undefined, 'Failed'],
    ['TIMED_OUT', undefined, 'Failed'],
    ['FAILED', undefined, 'Failed'],
  ];
  for (const [workflowStatus, summary, expected] of cases) {
    it(`status – ${workflowStatus}${summary ? ` with ${summary.status} tasks` : ''} is ${expected}`, () => {
      assert.equal(executionStatus(workflowStatus, summary), expected);
    });
  }

  it('execution – Harbor fields with counts, terminated runs say so', () => {
    const view = toHarborExecution({
      id: 9,
      policyId: 3,
      trigger: 'manual',
      workflowId: 'p/manual/x',
      workflowStatus: 'TERMINATED',
      status: executionStatus('TERMINATED', failed),
      dryRun: false,
      startTime: new Date('2026-11-28T13:00:00Z'),
      closeTime: new Date('2026-11-28T13:01:00Z'),
      summary: failed,
    });
    assert.deepEqual(
      { ...view },
      {
        id: 9,
        policy_id: 3,
        status: 'Failed',
        trigger: 'manual',
        start_time: '2026-11-28T13:00:00.000Z',
        end_time: '2026-11-28T13:01:00.000Z',
        status_text: 'run terminated',
        total: 1,
        failed: 1,
        succeed: 0,
        in_progress: 0,
        stopped: 0,
        bytes: 0,
        dry_run: false,
        workflow_id: 'p/manual/x',
      },
    );
  });

  it('task – Harbor fields and a log naming the error', () => {
    const view = toHarborTask(task, 9);
    assert.equal(view.execution_id, 9);
    assert.equal(view.src_resource, 'production/api:v1');
    assert.equal(view.resource_type, 'artifact');
    const log = taskLog(task);
    assert.match(log, /status: Failed \(failed\)/);
    assert.match(log, /attempts: 8/);
    assert.match(log, /error REGISTRY_UNAVAILABLE: connect ECONNREFUSED/);
  });
});
