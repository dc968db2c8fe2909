import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  driftChange,
  hasDrift,
  notificationWorkflowId,
  runEndedEvent,
  type ExecutionSummary,
} from '../../contract/index.js';

const counts = { total: 1, failed: 0, succeed: 1, in_progress: 0, stopped: 0 };

describe('run ended – which event a run is told as', () => {
  const cases: Array<[string, Partial<ExecutionSummary>, string | undefined]> = [
    ['succeeded', { status: 'Succeed' }, 'run_succeeded'],
    ['failed', { status: 'Failed' }, 'run_failed'],
    ['stopped (or skipped)', { status: 'Stopped' }, undefined],
    ['still in progress', { status: 'InProgress' }, undefined],
    ['a dry run that succeeded', { status: 'Succeed', dryRun: true }, undefined],
    ['a dry run that failed', { status: 'Failed', dryRun: true }, undefined],
  ];
  for (const [title, summary, event] of cases) {
    it(`${title}: ${event ?? 'nothing'}`, () => {
      assert.equal(runEndedEvent({ status: 'Succeed', statusText: '', counts, bytes: 0, ...summary }), event);
    });
  }
});

describe('drift – told only when a site changes state', () => {
  const cases: Array<[boolean | undefined, boolean, string | undefined]> = [
    [undefined, true, 'drift_detected'],
    [undefined, false, undefined],
    [false, true, 'drift_detected'],
    [true, true, undefined],
    [true, false, 'drift_cleared'],
    [false, false, undefined],
  ];
  for (const [before, now, event] of cases) {
    it(`${before === undefined ? 'never audited' : before ? 'drifting' : 'in sync'} → ${now ? 'drifting' : 'in sync'}: ${event ?? 'nothing'}`, () => {
      assert.equal(driftChange(before, now), event);
    });
  }

  const drifts: Array<
    [string, { missing: number; different: number; extra: number; unservable: number }, boolean]
  > = [
    ['nothing out of place', { missing: 0, different: 0, extra: 0, unservable: 0 }, false],
    ['a missing tag', { missing: 1, different: 0, extra: 0, unservable: 0 }, true],
    ['an extra tag', { missing: 0, different: 0, extra: 1, unservable: 0 }, true],
    ['an image the site cannot serve', { missing: 0, different: 0, extra: 0, unservable: 1 }, true],
  ];
  for (const [title, destination, drifting] of drifts) {
    it(`counts – ${title}: ${drifting ? 'drift' : 'in sync'}`, () =>
      assert.equal(hasDrift(destination), drifting));
  }
});

describe('the delivering workflow – named after the run, unique to it', () => {
  it('differs for two runs of one workflow id (an event run tried again after a failure)', () => {
    const id = 'p-1/event/push/app:v1@abc/0123456789abcdef';
    assert.equal(notificationWorkflowId(id, 'run-a'), `${id}/notify-run-a`);
    assert.notEqual(notificationWorkflowId(id, 'run-a'), notificationWorkflowId(id, 'run-b'));
  });
});
