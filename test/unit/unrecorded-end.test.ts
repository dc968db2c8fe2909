import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionSummary } from '../../contract/index.js';
import { unrecordedEnd, type ExecutionFacts, type WorkflowStatusName } from '../../service/index.js';

const now = new Date('2026-12-02T12:00:00.000Z');
const closeTime = new Date('2026-12-02T11:00:00.000Z');
const live: ExecutionSummary = {
  status: 'InProgress',
  statusText: '',
  counts: { total: 10, failed: 1, succeed: 6, in_progress: 3, stopped: 0 },
  bytes: 4096,
};
const kept: ExecutionSummary = {
  ...live,
  status: 'Succeed',
  counts: { ...live.counts, in_progress: 0, succeed: 9 },
};

function facts(workflowStatus: WorkflowStatusName, more: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return {
    id: 1,
    policyId: 1,
    trigger: 'manual',
    workflowId: 'replication-1',
    workflowStatus,
    status: 'Failed',
    dryRun: false,
    startTime: new Date('2026-12-02T10:00:00.000Z'),
    ...more,
  };
}

describe('unrecordedEnd – the end of a run that could not record it', () => {
  const none: Array<[string, ExecutionFacts]> = [
    ['running', facts('RUNNING', { summary: live })],
    [
      'completed (it records its own end)',
      facts('COMPLETED', { summary: kept, summaryIsFinal: true, closeTime }),
    ],
    ['failed (it records its own end)', facts('FAILED', { closeTime })],
    ['cancelled (it records its own end)', facts('CANCELLED', { closeTime })],
    [
      'terminated, its end recorded already',
      facts('TERMINATED', { summary: kept, summaryIsFinal: true, closeTime }),
    ],
    ['forgotten by Temporal, its end kept', facts('UNKNOWN', { summary: kept, summaryIsFinal: true })],
  ];
  for (const [name, execution] of none)
    it(`${name}: nothing to record`, () => assert.equal(unrecordedEnd(execution, now), undefined));

  const ends: Array<[string, ExecutionFacts, RegExp, string]> = [
    [
      'terminated mid-run',
      facts('TERMINATED', { summary: live, closeTime }),
      /^terminated in Temporal/,
      closeTime.toISOString(),
    ],
    [
      'timed out',
      facts('TIMED_OUT', { summary: live, closeTime }),
      /^timed out in Temporal/,
      closeTime.toISOString(),
    ],
    [
      'forgotten by Temporal',
      facts('UNKNOWN', { summary: live }),
      /^Temporal no longer holds this run/,
      now.toISOString(),
    ],
  ];
  for (const [name, execution, text, closedAt] of ends)
    it(`${name}: failed, its tasks still going counted failed`, () => {
      const end = unrecordedEnd(execution, now);
      assert.ok(end);
      assert.equal(end.closedAt, closedAt);
      assert.equal(end.summary.status, 'Failed');
      assert.match(end.summary.statusText, text);
      assert.deepEqual(end.summary.counts, { total: 10, failed: 4, succeed: 6, in_progress: 0, stopped: 0 });
      assert.equal(end.summary.bytes, 4096);
    });

  it('terminated before it said anything: failed, no tasks', () => {
    const end = unrecordedEnd(facts('TERMINATED', { closeTime, dryRun: true }), now);
    assert.deepEqual(end, {
      summary: {
        status: 'Failed',
        statusText: 'terminated in Temporal before the run recorded its end',
        counts: { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 },
        bytes: 0,
        dryRun: true,
      },
      closedAt: closeTime.toISOString(),
    });
  });
});
