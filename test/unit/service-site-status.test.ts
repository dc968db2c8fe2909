import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationDrift, DriftReport } from '../../contract/index.js';
import {
  policySiteStatus,
  siteDrift,
  siteState,
  type PolicySiteStatus,
  type RunBrief,
} from '../../service/site-status.js';

const policy = { id: 1, name: 'fan-out', enabled: true, update_time: '2026-01-01T10:00:00.000Z' };

function drift(registryId: number, counts: Partial<DestinationDrift> = {}): DestinationDrift {
  return {
    registryId,
    name: `site-${registryId}`,
    missing: 0,
    different: 0,
    extra: 0,
    verified: 0,
    unservable: 0,
    recoveryPointSeconds: 0,
    samples: { missing: [], different: [], extra: [], unservable: [] },
    ...counts,
  };
}

function report(finishedAt: string, ...destinations: DestinationDrift[]): DriftReport {
  return {
    policyId: 1,
    policyName: 'fan-out',
    verify: 'off',
    startedAt: finishedAt,
    finishedAt,
    sourceTags: 4,
    destinations,
  };
}

function run(
  endTime: string | undefined,
  status: RunBrief['status'],
  startTime = '2026-01-01T11:00:00.000Z',
): RunBrief {
  return {
    executionId: 7,
    policyId: 1,
    policyName: 'fan-out',
    status,
    trigger: 'manual',
    dryRun: false,
    startTime,
    ...(endTime ? { endTime } : {}),
  };
}

describe('policySiteStatus', () => {
  const cases: Array<[string, DriftReport | undefined, RunBrief | undefined, string, string]> = [
    ['nothing known', undefined, undefined, 'unknown', 'none'],
    ['an audit without drift', report('2026-01-01T12:00:00.000Z', drift(2)), undefined, 'in_sync', 'audit'],
    [
      'an audit with a missing tag',
      report('2026-01-01T12:00:00.000Z', drift(2, { missing: 1 })),
      undefined,
      'drift',
      'audit',
    ],
    [
      'an audit with an unservable tag',
      report('2026-01-01T12:00:00.000Z', drift(2, { unservable: 1 })),
      undefined,
      'drift',
      'audit',
    ],
    [
      'a successful run after a drifting audit',
      report('2026-01-01T12:00:00.000Z', drift(2, { missing: 3 })),
      run('2026-01-01T12:05:00.000Z', 'Succeed'),
      'in_sync',
      'run',
    ],
    [
      'a failed run after an audit in sync',
      report('2026-01-01T12:00:00.000Z', drift(2)),
      run('2026-01-01T12:05:00.000Z', 'Failed'),
      'unknown',
      'run',
    ],
    [
      'an audit after a successful run',
      report('2026-01-01T12:10:00.000Z', drift(2, { different: 1 })),
      run('2026-01-01T12:05:00.000Z', 'Succeed'),
      'drift',
      'audit',
    ],
    [
      'a successful run and no audit',
      undefined,
      run('2026-01-01T12:05:00.000Z', 'Succeed'),
      'in_sync',
      'run',
    ],
    [
      'a run started before the policy last changed',
      undefined,
      run('2026-01-01T12:05:00.000Z', 'Succeed', '2026-01-01T09:00:00.000Z'),
      'unknown',
      'none',
    ],
    [
      'an audit of other sites only (the site was added since)',
      report('2026-01-01T12:00:00.000Z', drift(3)),
      undefined,
      'unknown',
      'none',
    ],
    ['a run still in progress', undefined, run(undefined, 'InProgress'), 'unknown', 'none'],
  ];
  for (const [name, audit, lastFullRun, state, basis] of cases) {
    it(`state – ${name}`, () => {
      const status = policySiteStatus(policy, 2, audit, lastFullRun);
      assert.deepEqual([status.state, status.basis.kind], [state, basis]);
    });
  }
});

describe('a site over its policies', () => {
  const status = (state: PolicySiteStatus['state'], found?: DestinationDrift): PolicySiteStatus => ({
    policyId: 1,
    policyName: 'p',
    enabled: true,
    state,
    basis: found
      ? { kind: 'audit', at: '2026-01-01T12:00:00.000Z', verify: 'off' }
      : { kind: 'run', at: '2026-01-01T12:00:00.000Z', executionId: 1 },
    ...(found ? { drift: found } : {}),
  });
  const cases: Array<[string, PolicySiteStatus[], string]> = [
    ['no policy', [], 'unknown'],
    ['all in sync', [status('in_sync'), status('in_sync', drift(2))], 'in_sync'],
    ['drift wins over unknown', [status('unknown'), status('drift', drift(2, { missing: 1 }))], 'drift'],
    ['one unknown', [status('in_sync'), status('unknown')], 'unknown'],
  ];
  for (const [name, statuses, state] of cases) {
    it(`siteState – ${name}`, () => assert.equal(siteState(statuses), state));
  }

  it('siteDrift – counts summed over audits; the worst recovery point, 0 for a newer successful run', () => {
    const summary = siteDrift([
      status('drift', drift(2, { missing: 2, extra: 1, recoveryPointSeconds: 600 })),
      status('drift', drift(2, { different: 1, recoveryPointSeconds: 60 })),
      status('in_sync'),
    ]);
    assert.deepEqual(summary, {
      missing: 2,
      different: 1,
      extra: 1,
      unservable: 0,
      recoveryPointSeconds: 600,
    });
    assert.equal(siteDrift([status('in_sync')]).recoveryPointSeconds, 0);
    assert.equal(siteDrift([status('unknown')]).recoveryPointSeconds, undefined);
  });
});
